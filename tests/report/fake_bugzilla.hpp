// A Bugzilla REST endpoint for tests, on 127.0.0.1: records each request, answers a canned reply.
#pragma once
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <atomic>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

namespace harness::testing {

struct Request {
  std::string method, path;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string raw_head;
  std::string body;
};

// One-connection-at-a-time HTTP/1.1 server: records each request and answers with a canned reply.
class FakeBugzilla {
 public:
  FakeBugzilla() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    BOOST_REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    BOOST_REQUIRE(::listen(fd_, 4) == 0);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
  }
  ~FakeBugzilla() { ::close(fd_); }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  // Serves one request in a thread; the reply is (status, body).
  std::thread serve_one(int status, std::string reply) {
    return std::thread([this, status, reply] {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 10000) <= 0) return;
      int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      read_request(c);
      answer(c, status, reply);
    });
  }

  // Serves like Bugzilla's REST attachment API until stop(): POST /rest/bug/{id}/attachment stores
  // the attachment and answers {"ids": [N]}; GET answers {"bugs": {"ID": [{id, summary, description,
  // file_name, is_obsolete, ...}]}, "attachments": {}} with what was posted (data only when
  // include_fields does not leave it out). Every request is recorded in `requests`.
  std::thread serve_rest() {
    stop_ = false;
    return std::thread([this] {
      while (!stop_) {
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, 50) <= 0) continue;
        int c = ::accept(fd_, nullptr, nullptr);
        if (c < 0) continue;
        read_request(c);
        requests.push_back(last);
        int status = 200;
        nlohmann::json reply;
        auto path = last.path.substr(0, last.path.find('?'));
        const std::string prefix = "/rest/bug/", suffix = "/attachment";
        std::string bug = path.rfind(prefix, 0) == 0 && path.size() > prefix.size() + suffix.size()
                              ? path.substr(prefix.size(), path.size() - prefix.size() - suffix.size())
                              : "";
        if (bug.empty()) {
          status = 404;
          reply = {{"error", true}, {"code", 32614}, {"message", "no such resource"}};
        } else if (last.method == "POST") {
          auto in = nlohmann::json::parse(last.body);
          nlohmann::json a = {{"id", next_id_}, {"bug_id", std::stol(bug)}, {"summary", in["summary"]}, {"description", in["summary"]},
                              {"file_name", in["file_name"]}, {"content_type", in["content_type"]}, {"is_obsolete", 0},
                              {"is_patch", 0}, {"is_private", 0}, {"data", in["data"]}};
          attachments[bug].push_back(a);
          comments[bug].push_back(in.value("comment", ""));
          reply = {{"ids", {next_id_++}}};
        } else {
          nlohmann::json list = nlohmann::json::array();
          bool with_data = last.path.find("include_fields") == std::string::npos;
          for (auto a : attachments[bug]) {
            if (!with_data) a.erase("data");
            list.push_back(a);
          }
          reply = {{"bugs", {{bug, list}}}, {"attachments", nlohmann::json::object()}};
        }
        answer(c, status, reply.dump());
      }
    });
  }
  void stop() { stop_ = true; }

  Request last;
  std::vector<Request> requests;                                 // serve_rest
  std::map<std::string, std::vector<nlohmann::json>> attachments;  // bug -> what was posted
  std::map<std::string, std::vector<std::string>> comments;

 private:
  std::atomic<bool> stop_{false};
  long next_id_ = 9001;
  // Reads one request (head, then Content-Length bytes of body) into `last`.
  void read_request(int c) {
    std::string data;
    char buf[65536];
    std::size_t need = std::string::npos;
    while (true) {
      pollfd q{c, POLLIN, 0};
      if (::poll(&q, 1, 10000) <= 0) break;
      auto n = ::read(c, buf, sizeof buf);
      if (n <= 0) break;
      data.append(buf, n);
      auto end = data.find("\r\n\r\n");
      if (end != std::string::npos && need == std::string::npos) {
        parse_head(data.substr(0, end));
        need = end + 4 + std::stoul(last.headers.count("content-length") ? last.headers["content-length"] : "0");
      }
      if (need != std::string::npos && data.size() >= need) break;
    }
    if (need != std::string::npos) last.body = data.substr(data.find("\r\n\r\n") + 4);
  }
  // Writes a JSON reply and closes the connection.
  static void answer(int c, int status, const std::string& body) {
    std::string resp = "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Type: application/json\r\nContent-Length: " +
                       std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
    (void)!::write(c, resp.data(), resp.size());
    ::close(c);
  }
  void parse_head(const std::string& head) {
    last = {};
    last.raw_head = head;
    auto first = head.substr(0, head.find("\r\n"));
    auto sp1 = first.find(' '), sp2 = first.rfind(' ');
    last.method = first.substr(0, sp1);
    last.path = first.substr(sp1 + 1, sp2 - sp1 - 1);
    std::size_t pos = head.find("\r\n") + 2;
    while (pos < head.size()) {
      auto e = head.find("\r\n", pos);
      if (e == std::string::npos) e = head.size();
      auto line = head.substr(pos, e - pos);
      auto colon = line.find(':');
      std::string name = line.substr(0, colon);
      for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      auto value = line.substr(colon + 1);
      value.erase(0, value.find_first_not_of(' '));
      last.headers[name] = value;
      pos = e + 2;
    }
  }
  int fd_ = -1;
  int port_ = 0;
};

}  // namespace harness::testing
