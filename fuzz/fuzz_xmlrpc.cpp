// Koji hub answers: an XML-RPC methodResponse (params or fault), any bytes in; a fault or a
// malformed answer is an InfraError (XmlRpcFault is one) with a clean message.
#include "fuzz/fuzz_support.hpp"
#include "harness/repo/xmlrpc.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  harness::fuzz::expect_clean([&] {
    auto v = harness::parse_xmlrpc_response(harness::fuzz::as_string(data, size), "http://hub.invalid/kojihub getBuild");
    (void)harness::xmlrpc_value_xml(v);  // what the client writes back into its own requests
  });
  return 0;
}
