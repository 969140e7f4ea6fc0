#!/usr/bin/env python3
"""The Fedora build services of the local Fedora world, on 127.0.0.1, speaking their real protocols:

  /kojihub          Koji's hub: XML-RPC (POST, text/xml) with Koji's keyword-argument convention (a
                    trailing struct holding "__starstar"), nil allowed. Methods the harness uses, with
                    the answer shapes of koji's hub (kojihub.py): getBuild(NVR|ID), listRPMs(buildID=),
                    listBuilds(taskID=), getTaskInfo(ID), getTaskDescendents(ID), listTaskOutput(ID),
                    getRPMHeaders(taskID=, filepath=, headers=), plus getAPIVersion. An unknown build is
                    nil (getBuild's strict=False), an unknown method a fault as koji raises it.
  /kojifiles/       Koji's top URL: packages/NAME/VERSION/RELEASE/ARCH/NVRA.rpm for builds and
                    work/tasks/ID%10000/ID/NVRA.rpm for the scratch task's output (plain GET).
  /bodhi/updates/ALIAS
                    Bodhi's REST API: {"update": {...}} as bodhi-server serialises an update (alias,
                    title, status, request, type, severity, release {...}, builds [{nvr,...}], bugs
                    [{bug_id,...}], ...); 404 with Bodhi's error body for an unknown alias.
  /copr/api_3/project?ownername=OWNER&projectname=PROJECT
                    Copr's frontend API v3 (apiv3_projects.py): {id, name, ownername, full_name,
                    chroot_repos {chroot: url}, storage, ...}; 404 with {"error": ...} for another project.
  /copr-be/results/OWNER/PROJECT/
                    Copr's backend: the project's pubkey.gpg and one rpm-md repository per chroot
                    (fedora-RELEASE-x86_64/, the RPMs in per-build folders, signed with the project's
                    key, repomd.xml unsigned as Copr's are), from STATE/copr-be/results/.

The builds are the exim RPMs under KOJIFILES/packages/ when the server starts (name, version,
release, arch and epoch from `rpm -qp`, payloadhash = the RPM's SIGMD5 and size = the file's bytes, as
koji records them at import). Build ids are given in NVR order from 1001; build N's task is 50000+N.
One scratch task, 90001 (its buildArch child 90002), built the newest NVR; its output is a copy under
work/tasks/. The Bodhi update ADVISORY holds the build named in STATE/testing (dash-h: the -1 build,
fixed: the -2 build), read on every request as `fedora-world testing` switches it.

usage: serve-koji.py STATE PORT_FILE REQUEST_LOG LIFETIME ADVISORY BUG RELEASE COPR_PROJECT
The one Copr project is COPR_PROJECT (OWNER/PROJECT, OWNER may be @group); its chroots are the
folders fedora-*-* under its backend folder. STATE/kojifiles is the top URL's tree; STATE/service-faults (written by `fedora-world service`, read
on every request) holds lines "hang PREFIX": a request whose path starts with PREFIX is accepted and
never answered (a hung service), until the server exits.
"""
import hashlib, http.server, json, os, re, subprocess, sys, threading, urllib.parse
import xmlrpc.client
from xmlrpc.server import SimpleXMLRPCDispatcher

state, port_file, request_log = sys.argv[1], sys.argv[2], sys.argv[3]
lifetime = float(sys.argv[4])
ADVISORY, BUG, RELEASE, COPR_PROJECT = sys.argv[5], int(sys.argv[6]), sys.argv[7], sys.argv[8]
kojifiles = os.path.join(state, "kojifiles")
copr_be = os.path.join(state, "copr-be")
faults_file = os.path.join(state, "service-faults")
log_lock = threading.Lock()
stopping = threading.Event()

SCRATCH_TASK, SCRATCH_CHILD = 90001, 90002


def task_dir(task_id):
    return "work/tasks/%d/%d" % (task_id % 10000, task_id)


def rpm_header(path):
    out = subprocess.run(["rpm", "-qp", "--nosignature", "--nodigest", "--qf",
                          "%{NAME}\\t%{VERSION}\\t%{RELEASE}\\t%{ARCH}\\t%{EPOCH}\\t%{SIGMD5}\\t%{SOURCERPM}\\t%{BUILDTIME}",
                          path], check=True, capture_output=True, text=True, timeout=60).stdout.split("\t")
    name, version, release, arch, epoch, sigmd5, sourcerpm, buildtime = out
    return {"name": name, "version": version, "release": release, "arch": arch,
            "epoch": None if epoch == "(none)" else int(epoch), "payloadhash": sigmd5,
            "size": os.path.getsize(path), "sourcerpm": sourcerpm, "buildtime": int(buildtime)}


# ---- the builds, read once at start (before any fault is injected into the files) ------------------
builds = []  # getBuild structs, each with "_rpms" (listRPMs structs) and "_files"
by_nvr = {}
rpm_files = []
for root, dirs, files in os.walk(os.path.join(kojifiles, "packages")):
    rpm_files += [os.path.join(root, f) for f in files if f.endswith(".rpm")]
groups = {}
for f in sorted(rpm_files):
    h = rpm_header(f)
    src = re.sub(r"\.src\.rpm$", "", h["sourcerpm"]) if h["sourcerpm"] != "(none)" else "%s-%s-%s" % (h["name"], h["version"], h["release"])
    groups.setdefault(src, []).append((f, h))
for i, nvr in enumerate(sorted(groups)):
    build_id = 1001 + i
    f0, h0 = groups[nvr][0]
    name = nvr.rsplit("-", 2)[0]
    b = {
        "build_id": build_id, "id": build_id, "nvr": nvr, "name": name, "package_name": name,
        "package_id": 501, "version": h0["version"], "release": h0["release"], "epoch": h0["epoch"],
        "state": 1, "task_id": 50000 + build_id, "owner_id": 7, "owner_name": "fedora-world",
        "volume_id": 0, "volume_name": "DEFAULT", "source": "git+https://src.fedora-world.invalid/rpms/%s.git#%040x" % (name, build_id),
        "creation_event_id": 70000000 + build_id, "creation_time": "2024-01-03 11:00:00.000000+00:00",
        "creation_ts": 1704279600.0, "start_time": "2024-01-03 10:40:00.000000+00:00", "start_ts": 1704278400.0,
        "completion_time": "2024-01-03 11:00:00.000000+00:00", "completion_ts": 1704279600.0,
        "extra": {"source": {"original_url": "git+https://src.fedora-world.invalid/rpms/%s.git#f%s" % (name, h0["release"])}},
        "cg_id": None, "cg_name": None, "draft": False, "promoter_id": None, "promoter_name": None,
        "promotion_time": None, "promotion_ts": None,
    }
    b["_rpms"], b["_files"] = [], {}
    for j, (f, h) in enumerate(groups[nvr]):
        r = {"id": build_id * 100 + j, "build_id": build_id, "buildroot_id": 30000 + build_id, "name": h["name"],
             "version": h["version"], "release": h["release"], "arch": h["arch"], "epoch": h["epoch"],
             "payloadhash": h["payloadhash"], "size": h["size"], "buildtime": h["buildtime"],
             "nvr": "%s-%s-%s" % (h["name"], h["version"], h["release"]), "external_repo_id": 0,
             "external_repo_name": "INTERNAL", "metadata_only": False, "extra": None}
        b["_rpms"].append(r)
        b["_files"][os.path.basename(f)] = (f, h)
    builds.append(b)
    by_nvr[nvr] = b
by_id = {b["build_id"]: b for b in builds}
by_task = {b["task_id"]: b for b in builds}

# The scratch task: the newest build's RPMs again, as the output of a buildArch child task.
scratch_of = builds[-1] if builds else None
scratch_output = {}
if scratch_of:
    d = os.path.join(kojifiles, task_dir(SCRATCH_CHILD))
    os.makedirs(d, exist_ok=True)
    for fname, (f, h) in scratch_of["_files"].items():
        target = os.path.join(d, fname)
        if not os.path.exists(target):
            with open(f, "rb") as src, open(target, "wb") as dst:
                dst.write(src.read())
        scratch_output[fname] = h
    with open(os.path.join(d, "build.log"), "w") as log:
        log.write("fedora-world scratch build of %s\n" % scratch_of["nvr"])


def public(b):
    return {k: v for k, v in b.items() if not k.startswith("_")}



def generic_error(text):  # koji.GenericError's faultCode
    return xmlrpc.client.Fault(1000, text)


def task_info(task_id):
    base = {"id": task_id, "state": 2, "owner": 7, "arch": "noarch", "channel_id": 1, "priority": 20,
            "weight": 0.2, "host_id": 3, "result": None, "waiting": None, "awaited": None, "label": None,
            "create_time": "2024-01-03 10:40:00.000000+00:00", "create_ts": 1704278400.0,
            "start_time": "2024-01-03 10:40:05.000000+00:00", "start_ts": 1704278405.0,
            "completion_time": "2024-01-03 11:00:00.000000+00:00", "completion_ts": 1704279600.0}
    if task_id in by_task:
        b = by_task[task_id]
        return dict(base, method="build", parent=None, request=[b["source"], "f%s-candidate" % RELEASE, {}])
    if task_id == SCRATCH_TASK and scratch_of:
        return dict(base, method="build", parent=None, request=[scratch_of["source"], "f%s-candidate" % RELEASE, {"scratch": True}])
    if task_id == SCRATCH_CHILD and scratch_of:
        return dict(base, method="buildArch", parent=SCRATCH_TASK, arch="x86_64", label="x86_64",
                    request=["tasks/%d/%d/%s.src.rpm" % (SCRATCH_CHILD % 10000, SCRATCH_CHILD, scratch_of["nvr"]), 2, "x86_64", True, {}])
    return None


class Hub:
    """The hub's methods; keyword arguments as koji's hub takes them."""

    def getAPIVersion(self):
        return 1

    def getBuild(self, buildInfo, strict=False):
        b = by_id.get(buildInfo) if isinstance(buildInfo, int) else by_nvr.get(buildInfo)
        if b is None and strict:
            raise generic_error("No such build: %r" % (buildInfo,))
        return public(b) if b else None

    def listRPMs(self, buildID=None, buildrootID=None, imageID=None, componentBuildrootID=None, hostID=None,
                 arches=None, queryOpts=None, draft=None):
        b = by_id.get(buildID)
        if b is None:
            return []
        return [r for r in b["_rpms"] if not arches or r["arch"] in (arches if isinstance(arches, list) else [arches])]

    def listBuilds(self, packageID=None, userID=None, taskID=None, **rest):
        if taskID is not None:
            return [public(by_task[taskID])] if taskID in by_task else []
        return [public(b) for b in builds]

    def getTaskInfo(self, task_id, request=False, strict=False):
        t = task_info(task_id)
        if t is None and strict:
            raise generic_error("No such task: %i" % task_id)
        if t is not None and not request:
            t = {k: v for k, v in t.items() if k != "request"}
        return t

    def getTaskDescendents(self, task_id, request=False):
        if task_info(task_id) is None:
            raise generic_error("No such task: %i" % task_id)
        out = {str(task_id): []}
        if task_id == SCRATCH_TASK:
            out[str(task_id)] = [self.getTaskInfo(SCRATCH_CHILD, request)]
            out[str(SCRATCH_CHILD)] = []
        return out

    def listTaskOutput(self, taskID, stat=False, all_volumes=False, strict=False):
        if taskID == SCRATCH_CHILD:
            d = os.path.join(kojifiles, task_dir(taskID))
            return sorted(os.listdir(d))
        return []

    def getRPMHeaders(self, rpmID=None, taskID=None, filepath=None, headers=None, strict=False):
        if taskID != SCRATCH_CHILD or filepath not in scratch_output:
            if strict:
                raise generic_error("No such file: %s" % filepath)
            return {}
        h = scratch_output[filepath]
        out = {}
        for key in headers or []:
            k = key.lower()
            if k == "sigmd5":
                out[key] = xmlrpc.client.Binary(bytes.fromhex(h["payloadhash"]))
            elif k in ("name", "version", "release", "arch", "epoch", "size", "buildtime"):
                out[key] = h[k]
        return out


class Dispatcher(SimpleXMLRPCDispatcher):
    def __init__(self):
        super().__init__(allow_none=True, encoding="utf-8", use_builtin_types=False)
        self.register_instance(Hub())

    def _dispatch(self, method, params):
        kwargs = {}
        if params and isinstance(params[-1], dict) and params[-1].get("__starstar"):
            kwargs = dict(params[-1])
            del kwargs["__starstar"]
            params = params[:-1]
        func = getattr(Hub, method, None)
        if method.startswith("_") or func is None:
            raise xmlrpc.client.Fault(1000, "Invalid method: %s" % method)  # koji.GenericError
        try:
            return func(self.instance, *params, **kwargs)
        except TypeError as e:
            raise xmlrpc.client.Fault(1000, "%s: %s" % (method, e)) from None


dispatcher = Dispatcher()


def bodhi_update(alias):
    if alias != ADVISORY:
        return None
    try:
        testing = open(os.path.join(state, "testing")).read().strip()
    except FileNotFoundError:
        testing = "dash-h"
    nvrs = sorted(b["nvr"] for b in builds if b["name"] == "exim" and b["version"] != min(x["version"] for x in builds))
    nvr = (nvrs[0] if testing == "dash-h" else nvrs[-1]) if nvrs else None
    b = by_nvr.get(nvr)
    release = {"name": "F%s" % RELEASE, "long_name": "Fedora %s" % RELEASE, "version": RELEASE, "id_prefix": "FEDORA",
               "branch": "f%s" % RELEASE, "dist_tag": "f%s" % RELEASE, "stable_tag": "f%s-updates" % RELEASE,
               "testing_tag": "f%s-updates-testing" % RELEASE, "candidate_tag": "f%s-updates-candidate" % RELEASE,
               "pending_testing_tag": "f%s-updates-testing-pending" % RELEASE, "pending_stable_tag": "f%s-updates-pending" % RELEASE,
               "override_tag": "f%s-override" % RELEASE, "mail_template": "fedora_errata_template", "state": "current",
               "composed_by_bodhi": True, "create_automatic_updates": False, "package_manager": "dnf",
               "testing_repository": "updates-testing", "released_on": "2024-10-29", "eol": None}
    return {"update": {
        "alias": ADVISORY, "title": nvr or "", "autokarma": True, "autotime": True, "stable_karma": 3, "unstable_karma": -3,
        "stable_days": 7, "close_bugs": True, "critpath": False, "date_submitted": "2024-01-03 11:05:00",
        "date_modified": "2024-01-16 12:00:00" if testing == "fixed" else None, "date_approved": None,
        "date_pushed": "2024-01-04 02:00:00", "date_testing": "2024-01-04 02:00:00", "date_stable": None,
        "display_name": "", "from_tag": None, "karma": 0, "locked": False, "meets_testing_requirements": False,
        "notes": "exim -bp lists old-format message ids with a trailing -H; exiqgrep and mailq break (rhbz#%d)." % BUG,
        "pushed": True, "require_bugs": True, "require_testcases": True, "requirements": "", "severity": "medium",
        "status": "testing", "request": None, "suggest": "unspecified", "type": "bugfix",
        "url": "http://127.0.0.1/updates/%s" % ADVISORY, "user": {"id": 7, "name": "fedora-world"},
        "version_hash": hashlib.sha1((nvr or "").encode()).hexdigest(),
        "release": release,
        "builds": [{"nvr": nvr, "release_id": 41, "signed": True, "type": "rpm", "epoch": b["epoch"] or 0}] if b else [],
        "bugs": [{"bug_id": BUG, "title": "exim -bp and exiqgrep list old-format message ids with a trailing -H",
                  "security": False, "parent": False, "feedback": []}],
        "comments": [], "compose": None, "content_type": "rpm", "test_cases": [], "test_gating_status": None,
    }}


def copr_project(owner, project, port):
    if "%s/%s" % (owner, project) != COPR_PROJECT:
        return None
    results = os.path.join(copr_be, "results", owner, project)
    base = "http://127.0.0.1:%d/copr-be/results/%s/%s" % (port, owner, project)
    chroots = sorted(d for d in os.listdir(results) if os.path.isdir(os.path.join(results, d)) and d.startswith("fedora-"))
    group = owner.startswith("@")
    return {
        "id": 70421, "name": project, "ownername": owner, "full_name": "%s/%s" % (owner, project),
        "homepage": None, "contact": None, "description": "exim builds ahead of Fedora's updates (fedora-world)",
        "instructions": "", "devel_mode": False, "persistent": False, "unlisted_on_hp": False,
        "auto_prune": True, "bootstrap": "default", "isolation": "default", "module_hotfixes": False,
        "appstream": False, "packit_forge_projects_allowed": [], "follow_fedora_branching": True,
        "repo_priority": None, "storage": "backend", "additional_repos": [], "enable_net": False,
        "chroot_repos": {c: "%s/%s/" % (base, c) for c in chroots},
        "group_name": owner[1:] if group else None,
    }


def hang_for(path):
    try:
        lines = open(faults_file).read().splitlines()
    except FileNotFoundError:
        return False
    return any(len(p) == 2 and p[0] == "hang" and path.startswith(p[1]) for p in (l.split() for l in lines))


class Handler(http.server.SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def hung(self, path):
        if not hang_for(path):
            return False
        self.log_request("hang")
        while not stopping.wait(1):  # accepted, never answered
            pass
        self.close_connection = True
        return True

    def send_body(self, status, ctype, body):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        path = urllib.parse.urlsplit(self.path).path
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.hung(path):
            return
        if path.rstrip("/") != "/kojihub":
            self.send_error(404, "no XML-RPC endpoint at %s (the hub is /kojihub)" % path)
            return
        self.send_body(200, "text/xml", dispatcher._marshaled_dispatch(body))

    def do_HEAD(self):
        self.send_error(405)

    def do_GET(self):
        path = urllib.parse.urlsplit(self.path).path
        if self.hung(path):
            return
        if path.startswith("/bodhi/updates/"):
            u = bodhi_update(urllib.parse.unquote(path[len("/bodhi/updates/"):]).rstrip("/"))
            if u is None:
                body = {"status": "error", "errors": [{"location": "url", "name": "id", "description": "Invalid update id"}]}
                self.send_body(404, "application/json", json.dumps(body).encode())
            else:
                self.send_body(200, "application/json", json.dumps(u).encode())
            return
        if path.rstrip("/") == "/copr/api_3/project":
            q = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
            owner, project = q.get("ownername", [""])[0], q.get("projectname", [""])[0]
            p = copr_project(owner, project, self.server.server_port)
            if p is None:
                self.send_body(404, "application/json", json.dumps({"error": "Project %s/%s does not exist." % (owner, project)}).encode())
            else:
                self.send_body(200, "application/json", json.dumps(p).encode())
            return
        if path.startswith("/kojifiles/") or path.startswith("/copr-be/"):
            super().do_GET()
            return
        self.send_error(404, "nothing at %s (the hub is /kojihub, the top URL /kojifiles/, Bodhi /bodhi/, Copr /copr/ and /copr-be/)" % path)

    def translate_path(self, path):  # /kojifiles/X -> STATE/kojifiles/X, /copr-be/X -> STATE/copr-be/X
        p = urllib.parse.unquote(urllib.parse.urlsplit(path).path)
        top, p = (copr_be, p[len("/copr-be"):]) if p.startswith("/copr-be/") else (kojifiles, p[len("/kojifiles"):])
        parts = [x for x in p.split("/") if x not in ("", ".", "..")]
        return os.path.join(top, *parts)

    def list_directory(self, path):
        self.send_error(404, "no directory listings")
        return None

    def log_request(self, code="-", size="-"):
        with log_lock, open(request_log, "a") as f:
            f.write("%s %s %s %s\n" % (self.command, self.path, getattr(code, "value", code),
                                        self.headers.get("User-Agent", "-")))

    def log_message(self, *args):
        pass


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True


server = Server(("127.0.0.1", 0), Handler)
with open(port_file + ".tmp", "w") as f:
    f.write("%d\n" % server.server_port)
os.replace(port_file + ".tmp", port_file)


def stop():
    stopping.set()
    server.shutdown()


if lifetime > 0:
    threading.Timer(lifetime, stop).start()
try:
    server.serve_forever()
finally:
    stopping.set()
