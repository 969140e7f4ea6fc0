#include "harness/suites/exiqgrep/driver.hpp"

#include <cstdlib>
#include <sstream>

#include "harness/common/error.hpp"
#include "harness/common/strings.hpp"

namespace harness::exiqgrep {
namespace {

// Bundle on stdin: "F\n" + 3 fields (name, mode, data) | "R N\n" + N fields (id, mode, env count,
// env..., argv...); a field is "<length>\n<bytes>". Output per run: "R idlen outlen errlen rc\n" + bytes.
//
// The runner is a pre-fork server inside exiqgrep: it compiles the script once, as `do FILE` would,
// with one statement put before its first line, serve(). serve() forks a child per run; a child
// returns from serve() into exiqgrep's own main line, with nothing of it run yet. compile() comes
// first, outside `use strict` and every lexical, so the script sees none of the runner's variables.
constexpr const char* kRunner = R"PERL(
sub compile { eval $_[0] }
use strict;
my ($dir, $exiqgrep) = @ARGV;
binmode STDIN; binmode STDOUT;
mkdir $dir unless -d $dir;
sub field { my $l = <STDIN>; defined $l or die "bundle truncated\n"; chomp $l; my $b = '';
  my $got = $l ? read(STDIN, $b, $l) : 0; die "bundle truncated\n" unless $got == $l; return $b; }
my @runs;
while (defined(my $head = <STDIN>)) {
  chomp $head; my @p = split / /, $head;
  if ($p[0] eq 'F') { my ($name, $mode, $data) = (field(), field(), field());
    if ($name =~ m{^([^/]+)/}) { mkdir "$dir/$1" unless -d "$dir/$1"; }  # one folder level (seed/)
    open(my $fh, '>', "$dir/$name") or die "$dir/$name: $!\n"; binmode $fh; print $fh $data; close $fh;
    chmod oct($mode), "$dir/$name"; }
  elsif ($p[0] eq 'R') { push @runs, [map { field() } 1..$p[1]]; }
  else { die "bad bundle record '$head'\n"; }
}
# What exiqgrep loads, loaded once. If a module is missing, the compile below fails and every
# child's own `do FILE` fails exactly as a fresh exiqgrep would.
eval { require Getopt::Std; require File::Basename; };
my ($w, $src, @compile_warnings) = (0);
if (open(my $s, '<', $exiqgrep)) { binmode $s; local $/; $src = <$s>; close $s; }
$w = 1 if defined $src && $src =~ /\A#!\S*perl\S*\s+-\w*w/;
my ($child, $code, $compiled) = (0, 255, 0);
if (defined $src && $src !~ /^__(?:END|DATA)__\b/m) {
  {
    local $SIG{__WARN__} = sub { push @compile_warnings, $_[0] };
    local $^W = $w;
    compile("package main; main::serve(1);\n#line 1 \"$exiqgrep\"\n$src\n;");
  }
  # A child that ran exiqgrep's main line to its end (or to a die) ends here.
  if ($child) { if ($@) { print STDERR $@; exit $code; } exit 0; }
  die $@ if $compiled;  # serve() itself failed (fork)
}
serve(0);  # the script did not compile (or has __END__): every run compiles it with `do FILE`

sub serve {
  $compiled = shift;
  undef $SIG{__WARN__};
  $^W = $w;
  $| = 1;
  # Four runs in flight: each waits on its fake exim part of the time; more runs than cores keeps
  # the cores busy. Background runs do not take a slot.
  my ($i, %running, %slot, @rc) = (0);
  my $reap = sub { my $pid = waitpid(-1, 0); return if $pid <= 0; my $st = $?;
    delete $slot{$pid}; $rc[delete $running{$pid}] = ($st & 127) ? 128 + ($st & 127) : ($st >> 8); };
  for my $r (@runs) {
    my ($id, $mode, $nenv, @rest) = @$r;
    my @env = splice(@rest, 0, $nenv);
    $i++;
    if ($mode eq 'wait') { $reap->() while keys %running; $rc[$i] = 0; next; }
    $reap->() while $mode ne 'bg' && keys(%slot) >= 4;
    my $pid = fork(); die "fork: $!\n" unless defined $pid;
    if (!$pid) {
      open(STDIN, '<', '/dev/null'); open(STDOUT, '>', "$dir/.o$i"); open(STDERR, '>', "$dir/.e$i");
      chdir $dir;
      for (@env) { my ($k, $v) = split /=/, $_, 2; $ENV{$k} = $v; }
      if ($mode ne 'do') { exec { $rest[0] } @rest; print STDERR "cannot run $rest[0]: $!\n"; exit 127; }
      # As perl would for a script: a die exits with errno, else $? >> 8, else 255.
      $SIG{__DIE__} = sub { $code = $! ? ($! + 0) : ($? >> 8) ? ($? >> 8) : 255; };
      @ARGV = @rest; $0 = $exiqgrep;
      if ($compiled) { print STDERR @compile_warnings; $child = 1; return; }
      my $ok = do $exiqgrep;
      if ($@) { print STDERR $@; exit $code; }
      if (!defined $ok && $!) { print STDERR "Can't open perl script \"$exiqgrep\": $!\n"; exit 2; }
      exit 0;
    }
    $running{$pid} = $i;
    $slot{$pid} = 1 unless $mode eq 'bg';
  }
  $reap->() while keys %running;
  $i = 0;
  for my $r (@runs) {
    $i++;
    my $id = $r->[0];
    local $/;
    my ($out, $err) = ('', '');
    if (open(my $o, '<', "$dir/.o$i")) { binmode $o; $out = <$o> // ''; close $o; }
    if (open(my $e, '<', "$dir/.e$i")) { binmode $e; $err = <$e> // ''; close $e; }
    unlink "$dir/.o$i", "$dir/.e$i";
    print "R ", length($id), " ", length($out), " ", length($err), " $rc[$i]\n", $id, $out, $err;
  }
  my ($u, $s, $cu, $cs) = times;
  printf STDERR "cpu %.3f compiled-once %d\n", $u + $s + $cu + $cs, $compiled;
  exit 0;
}
)PERL";

void field(std::string& b, const std::string& s) {
  b += std::to_string(s.size());
  b += '\n';
  b += s;
}

const char* mode_name(RunMode m) {
  switch (m) {
    case RunMode::exiqgrep: return "do";
    case RunMode::exec: return "exec";
    case RunMode::background: return "bg";
    case RunMode::wait_all: return "wait";
  }
  return "exec";
}

}  // namespace

BatchCommand batch_command(const std::string& work_dir, const std::string& exiqgrep, const std::vector<BundleFile>& files,
                           const std::vector<Invocation>& runs) {
  BatchCommand c;
  c.argv = {"perl", "-e", kRunner, work_dir, exiqgrep};
  for (const auto& f : files) {
    c.input += "F\n";
    field(c.input, f.name);
    field(c.input, f.mode);
    field(c.input, f.data);
  }
  for (const auto& r : runs) {
    c.input += "R " + std::to_string(3 + r.env.size() + r.argv.size()) + "\n";
    field(c.input, r.id);
    field(c.input, mode_name(r.mode));
    field(c.input, std::to_string(r.env.size()));
    for (const auto& e : r.env) field(c.input, e);
    for (const auto& a : r.argv) field(c.input, a);
  }
  return c;
}

BatchResult parse_batch(const ExecResult& x, const std::vector<Invocation>& runs, const std::string& where) {
  if (x.timed_out) throw InfraError("exiqgrep batch timed out in " + where);
  if (x.exit_code != 0) throw InfraError("exiqgrep batch runner failed in " + where + " (exit " +
                                         std::to_string(x.exit_code) + "): " + x.err.substr(0, 500));
  BatchResult br;
  br.duration = x.duration;
  if (auto p = x.err.rfind("cpu "); p != std::string::npos) {
    br.cpu_seconds = std::atof(x.err.c_str() + p + 4);
    br.compiled_once = x.err.find("compiled-once 1", p) != std::string::npos;
  }
  std::size_t pos = 0;
  const auto& out = x.out;
  while (pos < out.size()) {
    auto nl = out.find('\n', pos);
    if (nl == std::string::npos) throw InfraError("exiqgrep batch: truncated result header");
    std::istringstream h(out.substr(pos, nl - pos));
    std::string tag;
    std::size_t il = 0, ol = 0, el = 0;
    int rc = -1;
    if (!(h >> tag >> il >> ol >> el >> rc) || tag != "R" || nl + 1 + il + ol + el > out.size())
      throw InfraError("exiqgrep batch: bad result header '" + escape_for_message(out.substr(pos, std::min<std::size_t>(80, nl - pos))) + "'");
    std::size_t p = nl + 1;
    auto id = out.substr(p, il);
    InvocationResult r{rc, out.substr(p + il, ol), out.substr(p + il + ol, el)};
    br.results[id] = std::move(r);
    pos = p + il + ol + el;
  }
  for (const auto& r : runs)
    if (!br.results.count(r.id)) throw InfraError("exiqgrep batch: no result for " + r.id + " in " + where);
  return br;
}

BatchResult run_batch(const Testbed& bed, const std::string& work_dir, const std::string& exiqgrep,
                      const std::vector<BundleFile>& files, const std::vector<Invocation>& runs,
                      std::chrono::seconds timeout) {
  auto c = batch_command(work_dir, exiqgrep, files, runs);
  return parse_batch(bed.exec(c.argv, c.input, timeout), runs, bed.name());
}

InvocationResult run_one_exec(const Testbed& bed, const std::string& work_dir, const std::string& exiqgrep,
                              const Invocation& run) {
  std::vector<std::string> argv{"env", "-C", work_dir};
  for (const auto& e : run.env) argv.push_back(e);
  if (run.mode == RunMode::exiqgrep) argv.push_back(exiqgrep);
  for (const auto& a : run.argv) argv.push_back(a);
  auto x = bed.exec(argv, "", std::chrono::seconds(60));
  if (x.timed_out) throw InfraError("exiqgrep timed out in " + bed.name());
  return {x.exit_code, x.out, x.err};
}

}  // namespace harness::exiqgrep
