#define BOOST_TEST_MODULE common
#include <boost/test/unit_test.hpp>
#include <csignal>
#include <unistd.h>
#include <sys/wait.h>
#include <fstream>
#include <sys/stat.h>
#include <thread>

#include "harness/common/error.hpp"
#include "harness/common/hash.hpp"
#include "harness/common/interrupt.hpp"
#include "harness/common/process.hpp"
#include "harness/common/strings.hpp"
#include "harness/common/tempdir.hpp"
#include "harness/plan/candidate_spec.hpp"
#include "harness/plan/plan_file.hpp"

using namespace harness;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

BOOST_AUTO_TEST_CASE(process_captures_output_and_exit_code) {
  auto r = run_process({"sh", "-c", "echo out; echo err >&2; exit 3"});
  BOOST_TEST(r.exit_code == 3);
  BOOST_TEST(r.out == "out\n");
  BOOST_TEST(r.err == "err\n");
  BOOST_TEST(!r.timed_out);
}

BOOST_AUTO_TEST_CASE(process_feeds_stdin) {
  std::string big(1 << 20, 'x');
  auto r = run_process({"wc", "-c"}, {.stdin_data = big});
  BOOST_TEST(std::stoul(r.out) == big.size());
}

BOOST_AUTO_TEST_CASE(process_timeout_kills_the_whole_group) {
  auto start = std::chrono::steady_clock::now();
  // The grandchild holds the pipe open: only a group kill ends it.
  auto r = run_process({"sh", "-c", "sleep 30 & sleep 30"}, {.timeout = 300ms});
  BOOST_TEST(r.timed_out);
  BOOST_TEST(!r.ok());
  BOOST_TEST((std::chrono::steady_clock::now() - start < 5s));
}

BOOST_AUTO_TEST_CASE(process_env_overrides_inherited_variables) {
  auto r = run_process({"sh", "-c", "echo $HOME"}, {.env = {"HOME=/elsewhere"}});
  BOOST_TEST(r.out == "/elsewhere\n");
}

BOOST_AUTO_TEST_CASE(write_file_from_many_threads_at_once) {
  TempDir d("harness-test");
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i)
    threads.emplace_back([&, i] { for (int k = 0; k < 50; ++k) write_file(d.path() / "same", std::to_string(i)); });
  for (auto& t : threads) t.join();
  BOOST_TEST(read_file(d.path() / "same").size() == 1u);
}

BOOST_AUTO_TEST_CASE(process_missing_program_is_infra_error) {
  BOOST_CHECK_THROW(run_process({"no-such-program-xyz"}), InfraError);
}

BOOST_AUTO_TEST_CASE(process_output_is_bounded) {
  auto r = run_process({"sh", "-c", "head -c 100000 /dev/zero"}, {.max_output = 1000});
  BOOST_TEST(r.out.size() == 1000u);
  BOOST_TEST(r.truncated);
}

BOOST_AUTO_TEST_CASE(sigint_interrupts_a_running_child) {
  install_interrupt_handlers();
  std::thread t([] {
    std::this_thread::sleep_for(200ms);
    ::kill(::getpid(), SIGINT);
  });
  auto start = std::chrono::steady_clock::now();
  BOOST_CHECK_THROW(run_process({"sleep", "30"}), Interrupted);
  t.join();
  BOOST_TEST((std::chrono::steady_clock::now() - start < 5s));
  // Cleanup calls still run after the signal.
  auto r = run_process({"true"}, {.ignore_interrupt = true});
  BOOST_TEST(r.ok());
}

BOOST_AUTO_TEST_CASE(shell_quote_quotes_what_needs_it) {
  BOOST_TEST(shell_quote({"exim", "-bp"}) == "exim -bp");
  BOOST_TEST(shell_quote({"sh", "-c", "echo 'a b'"}) == "sh -c 'echo '\\''a b'\\'''");
}

BOOST_AUTO_TEST_CASE(sha256_matches_known_vector) {
  BOOST_TEST(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  Sha256 a, b;
  BOOST_TEST(a.field("ab").field("c").hex() != b.field("a").field("bc").hex());
}

BOOST_AUTO_TEST_CASE(tempdir_is_private_and_removed) {
  std::filesystem::path p;
  {
    TempDir d("harness-test");
    p = d.path();
    write_file(p / "key.pem", "secret", 0600);
    BOOST_TEST(((std::filesystem::status(p).permissions() & std::filesystem::perms::others_all) ==
                std::filesystem::perms::none));
    BOOST_TEST(read_file(p / "key.pem") == "secret");
  }
  BOOST_TEST(!std::filesystem::exists(p));
}

BOOST_AUTO_TEST_CASE(part_files_of_a_killed_writer_are_swept_live_ones_kept) {
  TempDir dir;
  auto target = dir.path() / "metadata" / "Packages.xz";
  std::filesystem::create_directories(target.parent_path());
  // A writer SIGKILLed mid-write: its PartFile destructor never runs.
  pid_t pid = fork();
  if (pid == 0) {
    PartFile part(target);
    std::ofstream(part.path()) << "half";
    ::kill(getpid(), SIGKILL);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  BOOST_REQUIRE(WIFSIGNALED(status));
  std::filesystem::path left;
  for (const auto& e : std::filesystem::directory_iterator(target.parent_path()))
    if (e.path().filename().string().rfind("Packages.xz.part." + std::to_string(pid) + ".", 0) == 0) left = e.path();
  BOOST_REQUIRE(!left.empty());
  // A live writer's part file, write_file's temp name of the dead pid, and a name that only looks alike.
  PartFile live(target);
  std::ofstream(live.path()) << "in progress";
  auto dead_tmp = dir.path() / ("InRelease.tmp." + std::to_string(pid) + ".3");
  std::ofstream(dead_tmp) << "x";
  auto lookalike = dir.path() / "notes.part.txt";
  std::ofstream(lookalike) << "x";

  auto removed = remove_stale_part_files(dir.path());
  BOOST_TEST(removed.size() == 2u);
  BOOST_TEST(!std::filesystem::exists(left));
  BOOST_TEST(!std::filesystem::exists(dead_tmp));
  BOOST_TEST(std::filesystem::exists(live.path()));
  BOOST_TEST(std::filesystem::exists(lookalike));
}

BOOST_AUTO_TEST_CASE(a_child_does_not_outlive_a_killed_harness) {
  TempDir dir;
  auto pid_file = dir.path() / "sleep.pid";
  pid_t harness = fork();
  if (harness == 0) {
    // ignore_interrupt: an earlier test's SIGINT is still recorded in this process.
    try {
      run_process({"sh", "-c", "echo $$ > \"$0.tmp\" && mv \"$0.tmp\" \"$0\" && exec sleep 30", pid_file.string()},
                  {.timeout = std::chrono::seconds(60), .ignore_interrupt = true});
    } catch (...) {
    }
    _exit(0);
  }
  for (int i = 0; i < 6000 && !std::filesystem::exists(pid_file); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  BOOST_REQUIRE_MESSAGE(std::filesystem::exists(pid_file), "the child's child did not start within 60 s");
  pid_t child = static_cast<pid_t>(std::stol(read_file(pid_file)));
  ::kill(harness, SIGKILL);
  waitpid(harness, nullptr, 0);
  bool gone = false;
  for (int i = 0; i < 1000 && !gone; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    // A zombie of an unrelated reaper counts as gone: its state letter is Z.
    std::ifstream stat("/proc/" + std::to_string(child) + "/stat");
    std::string line;
    gone = !std::getline(stat, line) || line.find(") Z ") != std::string::npos;
  }
  BOOST_TEST(gone);
}

BOOST_AUTO_TEST_CASE(candidate_specs_parse) {
  auto s = parse_candidate_spec("fedora:41:testing");
  BOOST_TEST((s.family == Family::fedora));
  BOOST_TEST(s.release == "41");
  BOOST_TEST(s.channel == "testing");
  auto d = parse_candidate_spec("debian:bookworm:proposed-updates");
  BOOST_TEST((d.family == Family::debian));
  BOOST_TEST(d.channel == "proposed-updates");
}

BOOST_AUTO_TEST_CASE(bad_candidate_specs_name_the_problem) {
  auto message = [](const char* text) {
    try {
      parse_candidate_spec(text);
    } catch (const UsageError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  BOOST_TEST(message("fedora:41").find("expected distro:release:channel") != std::string::npos);
  BOOST_TEST(message("debian:bookwrom:stable").find("unknown Debian release 'bookwrom'") != std::string::npos);
  BOOST_TEST(message("fedora:41:updates").find("use stable or testing") != std::string::npos);
  BOOST_TEST(message("ubuntu:noble:stable").find("unknown distro 'ubuntu'") != std::string::npos);
  BOOST_TEST(message("local:/no/such/dir").find("is not a folder") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(strings_split_like_their_readers) {
  BOOST_TEST((split_lines("a\n\nb\n") == std::vector<std::string>{"a", "", "b"}));
  BOOST_TEST((split_lines("a") == std::vector<std::string>{"a"}));
  BOOST_TEST(split_lines("").empty());
  BOOST_TEST((split_nonempty("exim4-base,,openssl,") == std::vector<std::string>{"exim4-base", "openssl"}));
}

BOOST_AUTO_TEST_CASE(escape_for_message_shows_control_bytes_and_bad_utf8_as_text) {
  // An OSC window title, a screen clear, CR LF, a tab, a backslash.
  BOOST_TEST(escape_for_message("a\x1b]0;owned\x07\x1b[2J\r\nb\t\\") == "a\\x1b]0;owned\\x07\\x1b[2J\\r\\nb\\t\\\\");
  BOOST_TEST(escape_for_message("caf\xc3\xa9 \xe2\x9c\x93") == "caf\xc3\xa9 \xe2\x9c\x93");  // UTF-8 unchanged
  BOOST_TEST(escape_for_message("\xff\xc3(\xe2\x82") == "\\xff\\xc3(\\xe2\\x82");  // not UTF-8
  BOOST_TEST(escape_for_message("\xc0\xaf") == "\\xc0\\xaf");                     // overlong '/'
  BOOST_TEST(escape_for_message("\xc2\x9b" "2J") == "\\u+009b2J");               // C1 CSI
  BOOST_TEST(escape_for_message("x\xe2\x80\xaey") == "x\\u+202ey");               // right-to-left override
  BOOST_TEST(escape_for_message(std::string(1000, 'a'), 10) == "aaaaaaaaaa...");
  BOOST_TEST(escape_for_message("\x7f") == "\\x7f");
}

BOOST_AUTO_TEST_CASE(check_inside_folder_refuses_symlinks_leading_out) {
  TempDir dir("harness-inside-test");
  fs::create_directories(dir.path() / "in" / "sub");
  write_file(dir.path() / "in" / "sub" / "ok.txt", "x");
  write_file(dir.path() / "secret", "root:hash\n");
  fs::create_symlink("sub/ok.txt", dir.path() / "in" / "link-in");
  fs::create_symlink(dir.path() / "secret", dir.path() / "in" / "link-out");
  fs::create_symlink("../secret", dir.path() / "in" / "link-up");
  BOOST_CHECK_NO_THROW(check_inside_folder(dir.path() / "in" / "link-in", dir.path() / "in"));
  BOOST_CHECK_NO_THROW(check_inside_folder(dir.path() / "in" / "sub" / "ok.txt", dir.path() / "in"));
  for (const char* name : {"link-out", "link-up"})
    BOOST_CHECK_EXCEPTION(check_inside_folder(dir.path() / "in" / name, dir.path() / "in"), UsageError,
                          [&](const UsageError& e) {
                            std::string w = e.what();
                            return w.find((dir.path() / "in" / name).string()) != std::string::npos &&
                                   w.find("outside") != std::string::npos && w.find("root:hash") == std::string::npos;
                          });
}

BOOST_AUTO_TEST_CASE(plan_paths_that_are_not_files_are_usage_errors) {
  TempDir dir("harness-plan-test");
  auto refused = [&](const fs::path& p, const std::string& why) {
    try {
      load_plan_file(p);
    } catch (const UsageError& e) {
      std::string w = e.what();
      BOOST_TEST(w.find(p.string()) != std::string::npos, w);
      BOOST_TEST(w.find(why) != std::string::npos, w);
      return;
    }
    BOOST_FAIL("no UsageError for " + p.string());
  };
  refused(dir.path(), "is a folder");
  refused(dir.path() / "missing.yaml", "no such file");
  // A FIFO would block the reader forever.
  BOOST_REQUIRE(::mkfifo((dir.path() / "fifo.yaml").c_str(), 0600) == 0);
  refused(dir.path() / "fifo.yaml", "not a regular file");
}
