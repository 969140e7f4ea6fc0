#include "harness/repo/xmlrpc.hpp"

#include <tinyxml2.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "harness/common/strings.hpp"

namespace harness {
namespace {

std::string xml_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string base64_encode(const std::string& in) {
  static const char* t = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    unsigned n = (unsigned char)in[i] << 16 | (unsigned char)in[i + 1] << 8 | (unsigned char)in[i + 2];
    out += {t[n >> 18], t[(n >> 12) & 63], t[(n >> 6) & 63], t[n & 63]};
  }
  if (i + 1 == in.size()) {
    unsigned n = (unsigned char)in[i] << 16;
    out += {t[n >> 18], t[(n >> 12) & 63], '=', '='};
  } else if (i + 2 == in.size()) {
    unsigned n = (unsigned char)in[i] << 16 | (unsigned char)in[i + 1] << 8;
    out += {t[n >> 18], t[(n >> 12) & 63], t[(n >> 6) & 63], '='};
  }
  return out;
}

bool base64_decode(const std::string& in, std::string& out) {
  unsigned buf = 0;
  int bits = 0;
  for (char c : in) {
    int v;
    if (c >= 'A' && c <= 'Z') v = c - 'A';
    else if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
    else if (c >= '0' && c <= '9') v = c - '0' + 52;
    else if (c == '+') v = 62;
    else if (c == '/') v = 63;
    else if (c == '=' || c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
    else return false;
    buf = (buf << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buf >> bits) & 0xff);
    }
  }
  return true;
}

struct Malformed : std::runtime_error {
  using std::runtime_error::runtime_error;
};

const char* text_of(const tinyxml2::XMLElement* e) { return e->GetText() ? e->GetText() : ""; }

std::string trimmed(const char* s) {
  std::string t = s;
  auto b = t.find_first_not_of(" \t\r\n");
  auto e = t.find_last_not_of(" \t\r\n");
  return b == std::string::npos ? "" : t.substr(b, e - b + 1);
}

long long parse_int(const std::string& tag, const char* raw) {
  std::string t = trimmed(raw);
  errno = 0;
  char* end = nullptr;
  long long v = std::strtoll(t.c_str(), &end, 10);
  if (t.empty() || *end != '\0' || errno == ERANGE) throw Malformed("<" + tag + "> holds '" + escape_for_message(t) + "', not an integer");
  if ((tag == "int" || tag == "i4") && (v < INT32_MIN || v > INT32_MAX))
    throw Malformed("<" + tag + "> " + t + " is outside the 32-bit range (a 64-bit value travels as <i8>)");
  return v;
}

XmlRpcValue parse_value(const tinyxml2::XMLElement* value, int depth) {
  if (depth > 64) throw Malformed("values nested deeper than 64 levels");
  const tinyxml2::XMLElement* typed = value->FirstChildElement();
  XmlRpcValue v;
  if (!typed) {  // no type tag: a string
    v.kind = XmlRpcValue::Kind::string;
    v.text = text_of(value);
    return v;
  }
  std::string tag = typed->Name();
  if (tag == "string") {
    v.kind = XmlRpcValue::Kind::string;
    v.text = text_of(typed);
  } else if (tag == "int" || tag == "i4" || tag == "i8") {
    v.kind = XmlRpcValue::Kind::integer;
    v.integer = parse_int(tag, text_of(typed));
  } else if (tag == "boolean") {
    std::string t = trimmed(text_of(typed));
    if (t != "0" && t != "1") throw Malformed("<boolean> holds '" + escape_for_message(t) + "', not 0 or 1");
    v.kind = XmlRpcValue::Kind::boolean;
    v.boolean = t == "1";
  } else if (tag == "double") {
    std::string t = trimmed(text_of(typed));
    char* end = nullptr;
    v.real = std::strtod(t.c_str(), &end);
    if (t.empty() || *end != '\0') throw Malformed("<double> holds '" + escape_for_message(t) + "'");
    v.kind = XmlRpcValue::Kind::real;
  } else if (tag == "nil") {
    v.kind = XmlRpcValue::Kind::nil;
  } else if (tag == "base64") {
    v.kind = XmlRpcValue::Kind::base64;
    if (!base64_decode(text_of(typed), v.text)) throw Malformed("<base64> holds characters outside base64");
  } else if (tag == "dateTime.iso8601") {
    v.kind = XmlRpcValue::Kind::string;  // Koji sends dates as strings anyway
    v.text = trimmed(text_of(typed));
  } else if (tag == "array") {
    v.kind = XmlRpcValue::Kind::array;
    const tinyxml2::XMLElement* data = typed->FirstChildElement("data");
    if (!data) throw Malformed("<array> without <data>");
    for (auto* e = data->FirstChildElement("value"); e; e = e->NextSiblingElement("value"))
      v.items.push_back(parse_value(e, depth + 1));
  } else if (tag == "struct") {
    v.kind = XmlRpcValue::Kind::structure;
    for (auto* m = typed->FirstChildElement("member"); m; m = m->NextSiblingElement("member")) {
      auto* name = m->FirstChildElement("name");
      auto* val = m->FirstChildElement("value");
      if (!name || !val) throw Malformed("a struct <member> without <name> or <value>");
      v.members.push_back({text_of(name), parse_value(val, depth + 1)});
    }
  } else {
    throw Malformed("unknown value type <" + escape_for_message(tag) + ">");
  }
  return v;
}

void write_value(std::string& out, const XmlRpcValue& v) {
  out += "<value>";
  switch (v.kind) {
    case XmlRpcValue::Kind::nil: out += "<nil/>"; break;
    case XmlRpcValue::Kind::boolean: out += v.boolean ? "<boolean>1</boolean>" : "<boolean>0</boolean>"; break;
    case XmlRpcValue::Kind::integer:
      // Koji's marshaller: <int> inside 32 bits, <i8> outside.
      out += v.integer >= INT32_MIN && v.integer <= INT32_MAX ? "<int>" + std::to_string(v.integer) + "</int>"
                                                               : "<i8>" + std::to_string(v.integer) + "</i8>";
      break;
    case XmlRpcValue::Kind::real: out += "<double>" + std::to_string(v.real) + "</double>"; break;
    case XmlRpcValue::Kind::string: out += "<string>" + xml_escape(v.text) + "</string>"; break;
    case XmlRpcValue::Kind::base64: out += "<base64>" + base64_encode(v.text) + "</base64>"; break;
    case XmlRpcValue::Kind::array:
      out += "<array><data>\n";
      for (const auto& i : v.items) write_value(out, i), out += "\n";
      out += "</data></array>";
      break;
    case XmlRpcValue::Kind::structure:
      out += "<struct>\n";
      for (const auto& [k, m] : v.members) {
        out += "<member>\n<name>" + xml_escape(k) + "</name>\n";
        write_value(out, m);
        out += "\n</member>\n";
      }
      out += "</struct>";
      break;
  }
  out += "</value>";
}

}  // namespace

std::string kind_name(XmlRpcValue::Kind k) {
  switch (k) {
    case XmlRpcValue::Kind::nil: return "nil";
    case XmlRpcValue::Kind::boolean: return "boolean";
    case XmlRpcValue::Kind::integer: return "int";
    case XmlRpcValue::Kind::real: return "double";
    case XmlRpcValue::Kind::string: return "string";
    case XmlRpcValue::Kind::base64: return "base64";
    case XmlRpcValue::Kind::array: return "array";
    case XmlRpcValue::Kind::structure: return "struct";
  }
  return "?";
}

const XmlRpcValue* XmlRpcValue::find(const std::string& key) const {
  if (kind != Kind::structure) return nullptr;
  for (const auto& [k, v] : members)
    if (k == key) return &v;
  return nullptr;
}

std::string XmlRpcValue::string_at(const std::string& key, const std::string& origin) const {
  const XmlRpcValue* v = find(key);
  if (!v || v->kind != Kind::string)
    throw InfraError(origin + ": expected a string '" + key + "', found " + (v ? kind_name(v->kind) : "no such member"));
  return v->text;
}

long long XmlRpcValue::int_at(const std::string& key, const std::string& origin) const {
  const XmlRpcValue* v = find(key);
  if (!v || v->kind != Kind::integer)
    throw InfraError(origin + ": expected an int '" + key + "', found " + (v ? kind_name(v->kind) : "no such member"));
  return v->integer;
}

std::string XmlRpcValue::optional_string_at(const std::string& key) const {
  const XmlRpcValue* v = find(key);
  if (!v) return "";
  if (v->kind == Kind::integer) return std::to_string(v->integer);
  return v->kind == Kind::string ? v->text : "";
}

std::string xmlrpc_value_xml(const XmlRpcValue& v) {
  std::string out;
  write_value(out, v);
  return out;
}

std::string xmlrpc_request(const std::string& method, const std::vector<XmlRpcValue>& params,
                           const std::vector<std::pair<std::string, XmlRpcValue>>& kwargs) {
  std::string out = "<?xml version='1.0'?>\n<methodCall>\n<methodName>" + xml_escape(method) + "</methodName>\n<params>\n";
  auto param = [&](const XmlRpcValue& v) {
    out += "<param>\n";
    write_value(out, v);
    out += "\n</param>\n";
  };
  for (const auto& p : params) param(p);
  if (!kwargs.empty()) {
    auto members = kwargs;
    members.emplace_back("__starstar", XmlRpcValue::of(true));  // koji.encode_args
    param(XmlRpcValue::structure(std::move(members)));
  }
  out += "</params>\n</methodCall>\n";
  return out;
}

XmlRpcValue parse_xmlrpc_value_document(const std::string& value_xml, const std::string& origin) {
  tinyxml2::XMLDocument doc;
  if (doc.Parse(value_xml.data(), value_xml.size()) != tinyxml2::XML_SUCCESS || !doc.RootElement() ||
      std::strcmp(doc.RootElement()->Name(), "value") != 0)
    throw InfraError(origin + ": not an XML-RPC <value>");
  try {
    return parse_value(doc.RootElement(), 0);
  } catch (const Malformed& e) {
    throw InfraError(origin + ": malformed XML-RPC value: " + e.what());
  }
}

XmlRpcValue parse_xmlrpc_response(const std::string& body, const std::string& origin) {
  auto bad = [&](const std::string& why) {
    return InfraError("malformed XML-RPC reply from " + origin + ": " + why + " (reply starts '" +
                      escape_for_message(body.substr(0, 120)) + "')");
  };
  tinyxml2::XMLDocument doc;
  if (doc.Parse(body.data(), body.size()) != tinyxml2::XML_SUCCESS) throw bad(std::string("not XML (") + escape_for_message(doc.ErrorStr()) + ")");
  auto* root = doc.RootElement();
  if (!root || std::strcmp(root->Name(), "methodResponse") != 0) throw bad("the root element is not <methodResponse>");
  try {
    if (auto* fault = root->FirstChildElement("fault")) {
      auto* fv = fault->FirstChildElement("value");
      if (!fv) throw Malformed("<fault> without a <value>");
      XmlRpcValue f = parse_value(fv, 0);
      const XmlRpcValue* code = f.find("faultCode");
      const XmlRpcValue* text = f.find("faultString");
      if (!code || code->kind != XmlRpcValue::Kind::integer || !text || text->kind != XmlRpcValue::Kind::string)
        throw Malformed("a <fault> must be a struct with an int faultCode and a string faultString, found " +
                        std::string(code ? "faultCode " + kind_name(code->kind) : "no faultCode") + " and " +
                        (text ? "faultString " + kind_name(text->kind) : "no faultString"));
      throw XmlRpcFault(static_cast<int>(code->integer), text->text,
                        origin + " answered with fault " + std::to_string(code->integer) + ": " + escape_for_message(text->text));
    }
    auto* params = root->FirstChildElement("params");
    auto* param = params ? params->FirstChildElement("param") : nullptr;
    auto* value = param ? param->FirstChildElement("value") : nullptr;
    if (!value) throw Malformed("neither <fault> nor <params><param><value>");
    if (param->NextSiblingElement("param")) throw Malformed("more than one <param> in a reply");
    return parse_value(value, 0);
  } catch (const Malformed& e) {
    throw bad(e.what());
  }
}

XmlRpcValue xmlrpc_call(const std::string& url, const std::string& method, const std::vector<XmlRpcValue>& params,
                        const std::vector<std::pair<std::string, XmlRpcValue>>& kwargs, const HttpCallOptions& options,
                        std::string* raw) {
  HttpReply r = http_call("POST", url, xmlrpc_request(method, params, kwargs), {"Content-Type: text/xml"}, options);
  std::string origin = "the Koji hub " + url + " (" + method + ")";
  if (r.status != 200)
    throw InfraError(origin + " answered HTTP " + std::to_string(r.status) + " ('" + escape_for_message(r.body.substr(0, 200)) + "')");
  if (raw) *raw = r.body;
  return parse_xmlrpc_response(r.body, origin);
}

}  // namespace harness
