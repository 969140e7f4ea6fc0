// Unit tests of the pure parts of Fedora candidates (repo/fedora_candidates, repo/xmlrpc,
// plan/candidate_spec): spec parsing and its errors, the XML-RPC codec on Koji's real answer shapes,
// the RPM digests Koji's payloadhash is checked against (on a real RPM, compared with rpm's own
// %{SIGMD5}), Koji's task dirs and RPM file names. No network, no containers.
#define BOOST_TEST_MODULE fedora_candidates_unit
#include <boost/test/unit_test.hpp>

#include <fstream>

#include "harness/common/error.hpp"
#include "harness/common/process.hpp"
#include "harness/common/tempdir.hpp"
#include "harness/plan/candidate_spec.hpp"
#include "harness/repo/fedora_candidates.hpp"
#include "harness/repo/xmlrpc.hpp"

using namespace harness;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// The UsageError message parse_candidate_spec throws for `text` ("" when it accepts it).
std::string spec_error(const std::string& text) {
  try {
    parse_candidate_spec(text);
  } catch (const UsageError& e) {
    return e.what();
  }
  return "";
}

std::string response(const std::string& value_xml) {
  return "<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n" + value_xml +
         "\n</param>\n</params>\n</methodResponse>\n";
}

}  // namespace

// ---- candidate specs ------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(koji_spec_takes_release_from_dist_tag_or_base) {
  auto s = parse_candidate_spec("koji:exim-4.98.2-1.fc41");
  BOOST_TEST((s.origin == Origin::koji_build));
  BOOST_TEST(s.koji_nvr == "exim-4.98.2-1.fc41");
  BOOST_TEST(s.release == "41");
  BOOST_TEST(s.channel == "stable");
  BOOST_TEST(s.is_fedora_service());
  BOOST_TEST(!s.release_from_service);
  auto b = parse_candidate_spec("koji:exim-4.98.2-1@fedora:40:stable");
  BOOST_TEST(b.koji_nvr == "exim-4.98.2-1");
  BOOST_TEST(b.release == "40");
}

BOOST_AUTO_TEST_CASE(koji_spec_errors_name_the_value) {
  for (const char* bad : {"koji:", "koji:exim", "koji:exim-4.98", "koji:exim--1.fc41", "koji:exim-4.98-", "koji:-4.98-1.fc41",
                          "koji:exim 4.98-1.fc41"}) {
    std::string e = spec_error(bad);
    BOOST_TEST_INFO(bad);
    BOOST_TEST(has(e, std::string("'") + bad + "'"));
    BOOST_TEST(has(e, "koji:NAME-VERSION-RELEASE"));
  }
  std::string e = spec_error("koji:exim-4.98.2-1");
  BOOST_TEST(has(e, "'1' carries no Fedora dist tag"));
  BOOST_TEST(has(e, "koji:exim-4.98.2-1@fedora:N:stable"));
  e = spec_error("koji:exim-4.98.2-1.fc41@debian:bookworm:stable");
  BOOST_TEST(has(e, "must be a Fedora channel"));
  BOOST_TEST(has(e, "debian:bookworm:stable"));
}

BOOST_AUTO_TEST_CASE(koji_task_spec) {
  auto s = parse_candidate_spec("koji-task:137705547");
  BOOST_TEST((s.origin == Origin::koji_task));
  BOOST_TEST(s.koji_task == 137705547);
  BOOST_TEST(s.release_from_service);
  auto b = parse_candidate_spec("koji-task:137705547@fedora:41:testing");
  BOOST_TEST(b.release == "41");
  BOOST_TEST(b.channel == "testing");
  BOOST_TEST(!b.release_from_service);
  for (const char* bad : {"koji-task:", "koji-task:abc", "koji-task:-5", "koji-task:0", "koji-task:12x",
                          "koji-task:1234567890123456789"}) {
    std::string e = spec_error(bad);
    BOOST_TEST_INFO(bad);
    BOOST_TEST(has(e, std::string("'") + bad + "'"));
    BOOST_TEST(has(e, "koji-task:ID"));
  }
}

BOOST_AUTO_TEST_CASE(bodhi_spec) {
  auto s = parse_candidate_spec("bodhi:FEDORA-2024-e1b4c7a9f2");
  BOOST_TEST((s.origin == Origin::bodhi));
  BOOST_TEST(s.bodhi_alias == "FEDORA-2024-e1b4c7a9f2");
  BOOST_TEST(s.release_from_service);
  BOOST_TEST(parse_candidate_spec("bodhi:FEDORA-EPEL-2024-0b5e4ad2c0").bodhi_alias == "FEDORA-EPEL-2024-0b5e4ad2c0");
  BOOST_TEST(parse_candidate_spec("bodhi:FEDORA-2024-e1b4c7a9f2@fedora:41:stable").release == "41");
  for (const char* bad : {"bodhi:", "bodhi:FEDORA", "bodhi:FEDORA-2024", "bodhi:FEDORA-2024-E1B4C7A9F2",
                          "bodhi:FEDORA-24-e1b4c7a9f2", "bodhi:FEDORA-2024-e1b4c7a9f", "bodhi:fedora-2024-e1b4c7a9f2",
                          "bodhi:FEDORA-2024-e1b4c7a9fz"}) {
    std::string e = spec_error(bad);
    BOOST_TEST_INFO(bad);
    BOOST_TEST(has(e, std::string("'") + bad + "'"));
    BOOST_TEST(has(e, "bodhi:ALIAS"));
  }
}

BOOST_AUTO_TEST_CASE(copr_spec) {
  auto s = parse_candidate_spec("copr:@exim/exim-next@fedora-41-x86_64");
  BOOST_TEST((s.origin == Origin::copr));
  BOOST_TEST(s.copr_owner == "@exim");
  BOOST_TEST(s.copr_project == "exim-next");
  BOOST_TEST(s.copr_chroot == "fedora-41-x86_64");
  BOOST_TEST(s.release == "41");
  auto n = parse_candidate_spec("copr:someone/exim");
  BOOST_TEST(n.copr_owner == "someone");
  BOOST_TEST(n.copr_chroot.empty());
  BOOST_TEST(n.release_from_service);
  for (const char* bad : {"copr:", "copr:someone", "copr:someone/", "copr:/exim", "copr:@/exim", "copr:some one/exim",
                          "copr:a/b/c"}) {
    std::string e = spec_error(bad);
    BOOST_TEST_INFO(bad);
    BOOST_TEST(has(e, std::string("'") + bad + "'"));
    BOOST_TEST(has(e, "copr:OWNER/PROJECT"));
  }
  std::string e = spec_error("copr:someone/exim@epel-9-x86_64");
  BOOST_TEST(has(e, "unknown chroot 'epel-9-x86_64'"));
  BOOST_TEST(has(e, "fedora-N-x86_64"));
}

// ---- XML-RPC ----------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(xmlrpc_request_with_koji_keyword_struct) {
  std::string call = xmlrpc_request("listRPMs", {}, {{"buildID", XmlRpcValue::of(2623361LL)}});
  BOOST_TEST(has(call, "<methodName>listRPMs</methodName>"));
  BOOST_TEST(has(call, "<name>__starstar</name>"));
  BOOST_TEST(has(call, "<name>buildID</name>"));
  BOOST_TEST(has(call, "<int>2623361</int>"));
  std::string get = xmlrpc_request("getBuild", {XmlRpcValue::of(std::string("exim-4.98.2-1.fc41 <&>"))});
  BOOST_TEST(has(get, "<methodName>getBuild</methodName>"));
  BOOST_TEST(has(get, "<string>exim-4.98.2-1.fc41 &lt;&amp;&gt;</string>"));
  BOOST_TEST(!has(get, "__starstar"));
  // Beyond 32 bits the value travels as <i8>, as koji's marshaller writes it.
  BOOST_TEST(has(xmlrpc_request("getTaskInfo", {XmlRpcValue::of(5000000000LL)}), "<i8>5000000000</i8>"));
  // What the writer writes, the reader reads.
  auto v = XmlRpcValue::structure({{"a", XmlRpcValue::array({XmlRpcValue::of(true), XmlRpcValue::nil(),
                                                             XmlRpcValue::of(-7LL)})}});
  auto back = parse_xmlrpc_value_document(xmlrpc_value_xml(v), "round trip");
  BOOST_TEST(back.find("a")->items.size() == 3u);
  BOOST_TEST(back.find("a")->items[0].boolean);
  BOOST_TEST(back.find("a")->items[1].is_nil());
  BOOST_TEST(back.find("a")->items[2].integer == -7);
}

// The shape koji's hub answers getBuild with (python's xmlrpc.client marshaller, allow_none).
BOOST_AUTO_TEST_CASE(xmlrpc_get_build_response) {
  std::string body = response(R"(<value><struct>
<member><name>build_id</name><value><int>2623361</int></value></member>
<member><name>cg_id</name><value><nil/></value></member>
<member><name>completion_time</name><value><string>2024-12-20 10:11:12.345678+00:00</string></value></member>
<member><name>completion_ts</name><value><double>1734689472.345678</double></value></member>
<member><name>creation_event_id</name><value><i8>5000000123</i8></value></member>
<member><name>epoch</name><value><nil/></value></member>
<member><name>extra</name><value><struct>
<member><name>source</name><value><struct><member><name>original_url</name><value><string>git+https://src.example/rpms/exim.git#abc</string></value></member></struct></value></member>
</struct></value></member>
<member><name>id</name><value><int>2623361</int></value></member>
<member><name>name</name><value><string>exim</string></value></member>
<member><name>nvr</name><value><string>exim-4.98.2-1.fc41</string></value></member>
<member><name>owner_name</name><value><string>jskarvad</string></value></member>
<member><name>package_name</name><value><string>exim</string></value></member>
<member><name>release</name><value><string>1.fc41</string></value></member>
<member><name>source</name><value>git+https://src.example/rpms/exim.git#abc</value></member>
<member><name>start_time</name><value><dateTime.iso8601>20241220T10:00:00</dateTime.iso8601></value></member>
<member><name>state</name><value><int>1</int></value></member>
<member><name>task_id</name><value><int>127000001</int></value></member>
<member><name>version</name><value><string>4.98.2</string></value></member>
<member><name>volume_name</name><value><string>DEFAULT</string></value></member>
<member><name>draft</name><value><boolean>0</boolean></value></member>
</struct></value>)");
  XmlRpcValue b = parse_xmlrpc_response(body, "getBuild");
  BOOST_TEST((b.kind == XmlRpcValue::Kind::structure));
  BOOST_TEST(b.int_at("build_id", "t") == 2623361);
  BOOST_TEST(b.string_at("nvr", "t") == "exim-4.98.2-1.fc41");
  BOOST_TEST(b.string_at("name", "t") == "exim");
  BOOST_TEST(b.string_at("version", "t") == "4.98.2");
  BOOST_TEST(b.string_at("release", "t") == "1.fc41");
  BOOST_TEST(b.find("epoch")->is_nil());
  BOOST_TEST(b.optional_string_at("epoch") == "");
  BOOST_TEST(b.int_at("state", "t") == 1);
  BOOST_TEST(b.int_at("task_id", "t") == 127000001);
  BOOST_TEST(b.int_at("creation_event_id", "t") == 5000000123LL);
  BOOST_TEST(b.find("draft")->boolean == false);
  BOOST_TEST(b.string_at("source", "t") == "git+https://src.example/rpms/exim.git#abc");  // untyped <value> is a string
  BOOST_TEST(b.find("extra")->find("source")->optional_string_at("original_url") == "git+https://src.example/rpms/exim.git#abc");
  // A typed read of the wrong kind names the key and what was found.
  try {
    b.string_at("state", "getBuild from hub");
    BOOST_FAIL("expected InfraError");
  } catch (const InfraError& e) {
    BOOST_TEST(has(e.what(), "state"));
    BOOST_TEST(has(e.what(), "int"));
    BOOST_TEST(has(e.what(), "getBuild from hub"));
  }
  // An unknown build: getBuild answers nil.
  BOOST_TEST(parse_xmlrpc_response(response("<value><nil/></value>"), "getBuild").is_nil());
}

BOOST_AUTO_TEST_CASE(xmlrpc_list_rpms_response) {
  auto rpm = [](const char* id, const char* name, const char* arch, const char* hash, const char* size) {
    return std::string("<value><struct>") + "<member><name>arch</name><value><string>" + arch + "</string></value></member>" +
           "<member><name>build_id</name><value><int>2623361</int></value></member>" +
           "<member><name>buildroot_id</name><value><int>55000001</int></value></member>" +
           "<member><name>buildtime</name><value><int>1734689000</int></value></member>" +
           "<member><name>epoch</name><value><nil/></value></member>" +
           "<member><name>external_repo_id</name><value><int>0</int></value></member>" +
           "<member><name>external_repo_name</name><value><string>INTERNAL</string></value></member>" +
           "<member><name>id</name><value><int>" + id + "</int></value></member>" +
           "<member><name>metadata_only</name><value><boolean>0</boolean></value></member>" +
           "<member><name>name</name><value><string>" + name + "</string></value></member>" +
           "<member><name>nvr</name><value><string>" + name + "-4.98.2-1.fc41</string></value></member>" +
           "<member><name>payloadhash</name><value><string>" + hash + "</string></value></member>" +
           "<member><name>release</name><value><string>1.fc41</string></value></member>" +
           "<member><name>size</name><value><i8>" + size + "</i8></value></member>" +
           "<member><name>version</name><value><string>4.98.2</string></value></member>" + "</struct></value>";
  };
  std::string body = response("<value><array><data>\n" + rpm("40000001", "exim", "x86_64", "0123456789abcdef0123456789abcdef", "1655432") +
                              rpm("40000002", "exim", "src", "fedcba9876543210fedcba9876543210", "2011220") +
                              rpm("40000003", "exim-debuginfo", "x86_64", "00112233445566778899aabbccddeeff", "5000000000") +
                              "</data></array></value>");
  XmlRpcValue l = parse_xmlrpc_response(body, "listRPMs");
  BOOST_TEST_REQUIRE((l.kind == XmlRpcValue::Kind::array));
  BOOST_TEST_REQUIRE(l.items.size() == 3u);
  BOOST_TEST(l.items[0].int_at("id", "t") == 40000001);
  BOOST_TEST(l.items[0].string_at("name", "t") == "exim");
  BOOST_TEST(l.items[0].string_at("arch", "t") == "x86_64");
  BOOST_TEST(l.items[0].string_at("payloadhash", "t") == "0123456789abcdef0123456789abcdef");
  BOOST_TEST(l.items[0].int_at("size", "t") == 1655432);
  BOOST_TEST(l.items[0].int_at("build_id", "t") == 2623361);
  BOOST_TEST(l.items[0].optional_string_at("epoch") == "");
  BOOST_TEST(l.items[1].string_at("arch", "t") == "src");
  BOOST_TEST(l.items[2].int_at("size", "t") == 5000000000LL);
  // Empty: a build without RPMs.
  BOOST_TEST(parse_xmlrpc_response(response("<value><array><data/></array></value>"), "listRPMs").items.empty());
}

BOOST_AUTO_TEST_CASE(xmlrpc_fault_and_malformed) {
  // koji.GenericError as the hub reports it.
  std::string fault = R"(<?xml version='1.0'?>
<methodResponse><fault><value><struct>
<member><name>faultCode</name><value><int>1000</int></value></member>
<member><name>faultString</name><value><string>No such build: exim-9-9.fc41</string></value></member>
</struct></value></fault></methodResponse>)";
  try {
    parse_xmlrpc_response(fault, "getBuild at http://hub/kojihub");
    BOOST_FAIL("expected XmlRpcFault");
  } catch (const XmlRpcFault& f) {
    BOOST_TEST(f.code == 1000);
    BOOST_TEST(f.fault_string == "No such build: exim-9-9.fc41");
    BOOST_TEST(has(f.what(), "getBuild at http://hub/kojihub"));
    BOOST_TEST(has(f.what(), "1000"));
  }
  for (const char* bad : {"", "not xml", "<methodResponse/>", "<methodResponse><params><param><value><int>x</int></value></param></params></methodResponse>",
                          "<methodResponse><params><param><value><int>3000000000</int></value></param></params></methodResponse>",
                          "<methodResponse><params><param><value><frob/></value></param></params></methodResponse>",
                          "<methodResponse><fault><value><string>no</string></value></fault></methodResponse>"}) {
    BOOST_TEST_INFO(bad);
    try {
      parse_xmlrpc_response(bad, "ORIGIN-X");
      BOOST_FAIL("expected InfraError");
    } catch (const XmlRpcFault&) {
      BOOST_FAIL("a malformed answer is no fault");
    } catch (const InfraError& e) {
      BOOST_TEST(has(e.what(), "ORIGIN-X"));
    }
  }
}

// ---- RPM digests, task dirs, file names ---------------------------------------------------------

// A real RPM: the Fedora world's cached exim when there is one, else one rpmbuild makes here.
fs::path some_rpm(const fs::path& work) {
  const char* home = std::getenv("HOME");
  fs::path cache = std::getenv("XDG_CACHE_HOME") ? fs::path(std::getenv("XDG_CACHE_HOME")) : fs::path(home ? home : "/") / ".cache";
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(cache / "harness" / "fedora-world", ec); !ec && it != fs::end(it); it.increment(ec))
    if (it->path().extension() == ".rpm" && it->path().parent_path().filename() == "dash-h") return it->path();
  fs::create_directories(work / "SPECS");
  std::ofstream(work / "SPECS" / "probe.spec") << "Name: probe\nVersion: 1.0\nRelease: 1.fc41\nSummary: probe\nLicense: MIT\n"
                                                   "BuildArch: noarch\n%description\nprobe\n%install\nmkdir -p %{buildroot}/usr/share/probe\n"
                                                   "echo hello > %{buildroot}/usr/share/probe/file\n%files\n/usr/share/probe/file\n";
  auto r = run_process({"rpmbuild", "--define", "_topdir " + work.string(), "-bb", (work / "SPECS" / "probe.spec").string()},
                       {.timeout = 120s});
  BOOST_TEST_REQUIRE(r.ok(), r.err);
  return work / "RPMS" / "noarch" / "probe-1.0-1.fc41.noarch.rpm";
}

BOOST_AUTO_TEST_CASE(rpm_digests_match_rpm_sigmd5) {
  TempDir tmp("fedcand");
  fs::path rpm = some_rpm(tmp.path());
  BOOST_TEST_MESSAGE("RPM: " << rpm);
  auto q = run_process({"rpm", "-qp", "--nosignature", "--nodigest", "--qf", "%{SIGMD5}", rpm.string()}, {.timeout = 60s});
  BOOST_TEST_REQUIRE(q.ok(), q.err);
  RpmDigests d = rpm_digests(rpm, "test");
  BOOST_TEST(d.sigmd5 == q.out);
  BOOST_TEST(d.header_payload_md5 == q.out);
  BOOST_TEST(d.sigmd5.size() == 32u);

  // A flipped byte in the payload: the file still says its old sigmd5, its header+payload does not.
  fs::path copy = tmp.path() / "flipped.rpm";
  fs::copy_file(rpm, copy);
  std::string data = read_file(copy);
  data[data.size() - 100] ^= 0x01;
  write_file(copy, data);
  RpmDigests f = rpm_digests(copy, "flipped");
  BOOST_TEST(f.sigmd5 == q.out);
  BOOST_TEST(f.header_payload_md5 != q.out);

  // Not an RPM: the origin is named.
  fs::path junk = tmp.path() / "junk.rpm";
  write_file(junk, std::string(200, 'x'));
  try {
    rpm_digests(junk, "http://topurl/junk.rpm");
    BOOST_FAIL("expected InfraError");
  } catch (const InfraError& e) {
    BOOST_TEST(has(e.what(), "http://topurl/junk.rpm"));
    BOOST_TEST(has(e.what(), "not an RPM"));
  }
  write_file(junk, std::string(data.substr(0, 50)));
  BOOST_CHECK_THROW(rpm_digests(junk, "short"), InfraError);
  BOOST_CHECK_THROW(rpm_digests(tmp.path() / "absent.rpm", "absent"), InfraError);
}

BOOST_AUTO_TEST_CASE(koji_task_dirs) {
  BOOST_TEST(koji_task_dir(137705547) == "work/tasks/5547/137705547");
  BOOST_TEST(koji_task_dir(10000) == "work/tasks/0/10000");
  BOOST_TEST(koji_task_dir(42) == "work/tasks/42/42");
}

BOOST_AUTO_TEST_CASE(rpm_file_names) {
  auto n = parse_rpm_file_name("exim-4.98.2-1.fc41.x86_64.rpm");
  BOOST_TEST_REQUIRE(n.has_value());
  BOOST_TEST(n->name == "exim");
  BOOST_TEST(n->version == "4.98.2");
  BOOST_TEST(n->release == "1.fc41");
  BOOST_TEST(n->arch == "x86_64");
  auto m = parse_rpm_file_name("exim-greylist-4.98.2-1.fc41.noarch.rpm");
  BOOST_TEST_REQUIRE(m.has_value());
  BOOST_TEST(m->name == "exim-greylist");
  BOOST_TEST(m->arch == "noarch");
  auto s = parse_rpm_file_name("exim-4.98.2-1.fc41.src.rpm");
  BOOST_TEST_REQUIRE(s.has_value());
  BOOST_TEST(s->arch == "src");
  for (const char* bad : {"exim-4.98.2-1.fc41.x86_64.tar", "exim.rpm", "exim-1.x86_64.rpm", "-4.98-1.x86_64.rpm",
                          "exim-4.98-.x86_64.rpm", "exim-4.98-1.fc41..rpm", "build.log"}) {
    BOOST_TEST_INFO(bad);
    BOOST_TEST(!parse_rpm_file_name(bad).has_value());
  }
}

BOOST_AUTO_TEST_CASE(dist_tags_name_the_fedora_release) {
  BOOST_TEST(fedora_dist_tag("1.fc41").value_or(0) == 41);
  BOOST_TEST(fedora_dist_tag("0.3.rc2.fc40.1").value_or(0) == 40);
  BOOST_TEST(fedora_dist_tag("2.fc9").value_or(0) == 9);
  for (const char* none : {"1.el9", "1", "", "1.fc", "1.fcx41", "1.fc41x", "1.afc41", "1.fc1234567"}) {
    BOOST_TEST_INFO(none);
    BOOST_TEST(!fedora_dist_tag(none).has_value());
  }
}

BOOST_AUTO_TEST_CASE(nevra_leaves_out_epoch_zero) {
  VerifiedRpm r;
  r.name = "exim";
  r.version = "4.98.2";
  r.release = "1.fc41";
  r.arch = "x86_64";
  BOOST_TEST(r.nevra() == "exim-4.98.2-1.fc41.x86_64");
  r.epoch = "0";
  BOOST_TEST(r.nevra() == "exim-4.98.2-1.fc41.x86_64");
  r.epoch = "2";
  BOOST_TEST(r.nevra() == "exim-2:4.98.2-1.fc41.x86_64");
}
