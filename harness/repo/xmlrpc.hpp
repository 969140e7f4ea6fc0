// XML-RPC as Koji's hub speaks it: values (int/i4/i8, boolean, double, string, base64, nil, array,
// struct; dateTime.iso8601 read as its text), a methodCall writer with Koji's keyword-argument
// convention (a trailing struct holding `__starstar`), a methodResponse reader that turns a <fault>
// into XmlRpcFault, and a call over http_call (POST, text/xml, time-bounded).
#pragma once
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "harness/common/error.hpp"
#include "harness/repo/http_call.hpp"

namespace harness {

// A struct member: defined after XmlRpcValue. (A std::pair holding XmlRpcValue inside XmlRpcValue
// does not compile with clang 14 and libstdc++ 12, the sanitizer build: pair's traits need the
// complete type.)
struct XmlRpcMember;

struct XmlRpcValue {
  enum class Kind { nil, boolean, integer, real, string, base64, array, structure };
  Kind kind = Kind::nil;
  bool boolean = false;
  long long integer = 0;
  double real = 0;
  std::string text;                                       // string; base64: the decoded bytes
  std::vector<XmlRpcValue> items;                         // array
  std::vector<XmlRpcMember> members;                      // struct, in wire order

  // Defined below, where XmlRpcMember is complete.
  static XmlRpcValue nil();
  static XmlRpcValue of(bool b);
  static XmlRpcValue of(long long i);
  static XmlRpcValue of(std::string s);
  static XmlRpcValue array(std::vector<XmlRpcValue> items);
  static XmlRpcValue structure(const std::vector<std::pair<std::string, XmlRpcValue>>& m);

  bool is_nil() const { return kind == Kind::nil; }
  // Struct member or nullptr (also for a non-struct).
  const XmlRpcValue* find(const std::string& key) const;
  // Typed reads of a struct member; throw InfraError naming `origin`, the key and what was found.
  std::string string_at(const std::string& key, const std::string& origin) const;
  long long int_at(const std::string& key, const std::string& origin) const;
  // A string member, or "" when it is missing or nil (Koji's epoch, extra, ...).
  std::string optional_string_at(const std::string& key) const;
};

struct XmlRpcMember {
  std::string first;   // the name
  XmlRpcValue second;  // the value
};

inline XmlRpcValue XmlRpcValue::nil() { return {}; }
inline XmlRpcValue XmlRpcValue::of(bool b) { XmlRpcValue v; v.kind = Kind::boolean; v.boolean = b; return v; }
inline XmlRpcValue XmlRpcValue::of(long long i) { XmlRpcValue v; v.kind = Kind::integer; v.integer = i; return v; }
inline XmlRpcValue XmlRpcValue::of(std::string s) { XmlRpcValue v; v.kind = Kind::string; v.text = std::move(s); return v; }
inline XmlRpcValue XmlRpcValue::array(std::vector<XmlRpcValue> items) {
  XmlRpcValue v; v.kind = Kind::array; v.items = std::move(items); return v;
}
inline XmlRpcValue XmlRpcValue::structure(const std::vector<std::pair<std::string, XmlRpcValue>>& m) {
  XmlRpcValue v;
  v.kind = Kind::structure;
  for (const auto& [name, value] : m) v.members.push_back({name, value});
  return v;
}

// "int", "struct", ... for messages.
std::string kind_name(XmlRpcValue::Kind k);

// A <fault> reply: the server understood the call and refused it (Koji: GenericError 1000, ...).
struct XmlRpcFault : InfraError {
  XmlRpcFault(int code, std::string text, const std::string& what) : InfraError(what), code(code), fault_string(std::move(text)) {}
  int code;
  std::string fault_string;
};

// <?xml version='1.0'?><methodCall>... ; `kwargs` non-empty adds Koji's trailing keyword struct.
std::string xmlrpc_request(const std::string& method, const std::vector<XmlRpcValue>& params,
                           const std::vector<std::pair<std::string, XmlRpcValue>>& kwargs = {});

// The single <param> of a methodResponse. Throws XmlRpcFault for a well-formed fault, InfraError
// naming `origin` for anything malformed (not XML, no params, a fault without faultCode/faultString,
// an unknown type, an int out of range).
XmlRpcValue parse_xmlrpc_response(const std::string& body, const std::string& origin);
// Also used by the tests: the value inside one <value> element's text.
XmlRpcValue parse_xmlrpc_value_document(const std::string& value_xml, const std::string& origin);
std::string xmlrpc_value_xml(const XmlRpcValue& v);

// POST the call to `url`; returns the result and, through `raw`, the reply's bytes (for the cache
// and the trust chain). Faults and malformed replies name the URL and the method.
XmlRpcValue xmlrpc_call(const std::string& url, const std::string& method, const std::vector<XmlRpcValue>& params,
                        const std::vector<std::pair<std::string, XmlRpcValue>>& kwargs, const HttpCallOptions& options,
                        std::string* raw = nullptr);

}  // namespace harness
