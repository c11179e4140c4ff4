"""Performance benchmark of cloudops.linode against the Linode API emulator (not a test: it prints and records).

    .venv/bin/python tests/bench/bench.py [--output docs/benchmarks.md] [--smoke] [--json FILE]

``make bench`` runs it and writes docs/benchmarks.md; ``make bench-smoke`` runs every measurement at tiny
sizes into a throw-away file, to show the harness works end to end. Every count comes from the emulator's
request log (``/__emulator/requests``) and every replica availability time from ``/__emulator/events``;
task times come from the ``bench_timeline`` callback (callback_plugins/), which stamps each task's start
and each host's (and loop item's) result with the same clock as the request log.

Measurements (see docs/benchmarks.md for the targets):

* API calls per image_replicas task, case by case, against the minimum possible;
* the wall time of an image_replicas task that changes nothing, as a ratio to ansible.builtin.ping
  (interleaved repetitions in one playbook, medians), and what the module imports;
* the image_replication role over many images against a plain ansible.builtin.uri playbook;
* how long after the last replica became available a waiting task returns, and how many polls it made;
* many images with wait: the role (writes, then one listing per poll) and the images inventory plugin with forks, against the
  slowest single replication.
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
PLAYBOOKS = os.path.join(HERE, "playbooks")
EMULATOR = os.path.join(ROOT, "tests", "emulator", "linode_emulator.py")
HISTORY = os.path.join(HERE, "HISTORY.md")
BIN = os.path.dirname(sys.executable)
TOKEN = "bench-token-5f0e2a"
READY_LINE = re.compile(r"Linode API emulator listening on (\S+)")

IMAGE_PATH = re.compile(r"^/v4(?:beta)?/images/(private/\d+)$")
REGIONS_POST = re.compile(r"^/v4(?:beta)?/images/(private/\d+)/regions$")


# ---------------------------------------------------------------------------------------------------------
# the emulator


class Emulator:
    """tests/emulator/linode_emulator.py as a subprocess, and its control routes."""

    def __init__(self, replication_seconds, workdir):
        self.log_path = os.path.join(workdir, "emulator.log")
        self._log = open(self.log_path, "w")  # pylint: disable=consider-using-with
        self.process = subprocess.Popen(  # pylint: disable=consider-using-with
            [sys.executable, EMULATOR, "--port", "0", "--replication-seconds", str(replication_seconds)],
            stdout=subprocess.PIPE, stderr=self._log, text=True)
        line = self.process.stdout.readline()
        match = READY_LINE.search(line)
        if not match:
            self.stop()
            raise SystemExit("the emulator did not start: %r (see %s)" % (line, self.log_path))
        self.url = match.group(1)

    def _call(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.url + path, data=data, method=method, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as answer:
            text = answer.read()
        return json.loads(text) if text.strip() else {}

    def reset(self, replication_seconds):
        self._call("POST", "/__emulator/reset")
        self._call("POST", "/__emulator/config", {"replication_seconds": replication_seconds})

    def add_image(self, image_id, label, regions):
        return self._call("POST", "/__emulator/images", {"id": image_id, "label": label, "regions": regions})

    def requests(self):
        return self._call("GET", "/__emulator/requests")["requests"]

    def clear_requests(self):
        self._call("DELETE", "/__emulator/requests")

    def events(self):
        return self._call("GET", "/__emulator/events")["events"]

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self._log.close()


# ---------------------------------------------------------------------------------------------------------
# running playbooks


class Runner:
    """Runs ansible-playbook against a laid-out copy of the collection, with the timeline callback on."""

    def __init__(self, workdir, emulator):
        self.workdir = workdir
        self.emulator = emulator
        self.collections = os.path.join(workdir, "collections")
        subprocess.run(
            [os.path.join(ROOT, "tests", "utils", "layout_collection.sh"),
             os.path.join(self.collections, "ansible_collections", "cloudops", "linode")],
            cwd=ROOT, check=True, stdout=subprocess.DEVNULL, env=dict(os.environ, PATH=BIN + os.pathsep + os.environ["PATH"]))
        self.runs = 0

    def env(self, extra=None):
        env = dict(os.environ)
        env.update(
            PATH=BIN + os.pathsep + os.environ["PATH"],
            ANSIBLE_COLLECTIONS_PATH=self.collections,
            ANSIBLE_CALLBACK_PLUGINS=os.path.join(HERE, "callback_plugins"),
            ANSIBLE_CALLBACKS_ENABLED="bench_timeline",
            ANSIBLE_LOCALHOST_WARNING="False",
            ANSIBLE_INVENTORY_UNPARSED_WARNING="False",
            ANSIBLE_NOCOLOR="1",
            ANSIBLE_RETRY_FILES_ENABLED="False",
            ANSIBLE_LOCAL_TEMP=os.path.join(self.workdir, "local_tmp"),
            ANSIBLE_REMOTE_TMP=os.path.join(self.workdir, "remote_tmp"),
            LINODE_API_URL=self.emulator.url,
            LINODE_API_TOKEN=TOKEN,
            EMULATOR_URL=self.emulator.url,
        )
        for name in ("LINODE_TOKEN", "LINODE_API_VERSION", "LINODE_CA", "ANSIBLE_CONFIG"):
            env.pop(name, None)
        env.update(extra or {})
        return env

    def playbook(self, playbook, extra_vars=None, inventory=None, forks=None, env=None):
        """Run one playbook; return (timeline, process wall seconds, process start, process end)."""
        self.runs += 1
        stem = "%02d-%s" % (self.runs, os.path.splitext(os.path.basename(playbook))[0])
        timeline_path = os.path.join(self.workdir, stem + ".timeline.json")
        log_path = os.path.join(self.workdir, stem + ".log")
        command = [os.path.join(BIN, "ansible-playbook"), playbook]
        if inventory:
            command += ["-i", inventory]
        if forks:
            command += ["--forks", str(forks)]
        if extra_vars is not None:
            vars_path = os.path.join(self.workdir, stem + ".vars.json")
            with open(vars_path, "w") as handle:
                json.dump(extra_vars, handle)
            command += ["-e", "@" + vars_path]
        run_env = self.env(dict(env or {}, BENCH_TIMELINE=timeline_path))
        with open(log_path, "w") as log:
            started = time.time()
            process = subprocess.run(command, cwd=self.workdir, env=run_env, stdout=log, stderr=subprocess.STDOUT, check=False)
            ended = time.time()
        if process.returncode != 0:
            with open(log_path) as log:
                tail = log.read()[-4000:]
            raise SystemExit("%s failed (rc %d); end of %s:\n%s" % (os.path.basename(playbook), process.returncode, log_path, tail))
        with open(timeline_path) as handle:
            timeline = json.load(handle)
        return timeline, ended - started, started, ended


def task_end(task):
    """When the task's last host (or last loop item) finished."""
    ends = [entry["end"] for entry in task["results"] + task["items"]]
    return max(ends) if ends else task["start"]


def requests_between(log, start, end):
    return [entry for entry in log if start <= entry["time"] <= end]


def classify(entry):
    path = entry["path"]
    if entry["method"] == "GET" and re.match(r"^/v4(beta)?/regions$", path):
        return "regions listing"
    if entry["method"] == "GET" and re.match(r"^/v4(beta)?/images$", path):
        return "images listing"
    if entry["method"] == "GET" and IMAGE_PATH.match(path):
        return "image GET"
    if entry["method"] == "POST" and REGIONS_POST.match(path):
        return "replicate POST"
    return "other %s %s" % (entry["method"], path)


def count_by_kind(entries):
    counts = {}
    for entry in entries:
        kind = classify(entry)
        counts[kind] = counts.get(kind, 0) + 1
    return counts


def short_task_name(name):
    """A role task's name without the role prefix; the role's argument validation as just that."""
    name = name.split(" : ", 1)[-1]
    return "Validating arguments" if name.startswith("Validating arguments") else name


def median(values):
    return statistics.median(values) if values else float("nan")


def image_id_of(number):
    return "private/%d" % number


# ---------------------------------------------------------------------------------------------------------
# measurements


API_CASES = (
    # (task name in api_calls.yml, minimum GETs, minimum POSTs, waits)
    ("case: no change", 1, 0, False),
    ("case: add, check mode", 1, 0, False),
    ("case: add", 1, 1, False),
    ("case: remove", 1, 1, False),
    ("case: purge", 1, 1, False),
    ("case: add with wait", 1, 1, True),
)


def measure_api_calls(emulator, runner, replication_seconds):
    emulator.reset(replication_seconds)
    emulator.add_image("private/30001", "calls-nochange", ["us-east"])
    emulator.add_image("private/30002", "calls-add", ["us-east"])
    emulator.add_image("private/30003", "calls-remove", ["us-east", "fr-par"])
    emulator.add_image("private/30004", "calls-purge", ["us-east", "fr-par"])
    emulator.add_image("private/30005", "calls-wait", ["us-east"])
    emulator.clear_requests()
    timeline, _wall, _start, _end = runner.playbook(os.path.join(PLAYBOOKS, "api_calls.yml"))
    log = emulator.requests()
    tasks = dict((task["name"], task) for task in timeline["tasks"])
    rows = []
    for name, min_gets, min_posts, waits in API_CASES:
        task = tasks[name]
        entries = requests_between(log, task["start"], task_end(task))
        gets = sum(1 for entry in entries if entry["method"] == "GET")
        posts = sum(1 for entry in entries if entry["method"] == "POST")
        polls = 0
        if waits:
            post_times = [entry["time"] for entry in entries if entry["method"] == "POST"]
            polls = sum(1 for entry in entries if entry["method"] == "GET" and post_times and entry["time"] > post_times[0])
        rows.append({
            "case": name.split(": ", 1)[1], "gets": gets, "posts": posts, "polls": polls,
            "min_gets": min_gets, "min_posts": min_posts, "waits": waits,
            "others": len(entries) - gets - posts,
            "meets": gets - polls == min_gets and posts == min_posts and len(entries) == gets + posts,
            "changed": any(result["changed"] for result in task["results"]),
        })
    return {"replication_seconds": replication_seconds, "rows": rows}


OVERHEAD_PAIR = """
    - name: "rep {rep}: ping"
      ansible.builtin.ping:

    - name: "rep {rep}: image_replicas no change"
      cloudops.linode.image_replicas:
        image_id: private/12345
        regions: [us-east]
"""
OVERHEAD_PAIR_REVERSED = """
    - name: "rep {rep}: image_replicas no change"
      cloudops.linode.image_replicas:
        image_id: private/12345
        regions: [us-east]

    - name: "rep {rep}: ping"
      ansible.builtin.ping:
"""


def write_overhead_playbook(path, repetitions):
    """N pairs, alternating which of the two goes first, so drift and warm-up hit both alike."""
    parts = ["---\n# Written by tests/bench/bench.py.\n- name: Per-task overhead\n  hosts: localhost\n  gather_facts: false\n  tasks:"]
    for rep in range(repetitions):
        parts.append((OVERHEAD_PAIR if rep % 2 == 0 else OVERHEAD_PAIR_REVERSED).format(rep=rep))
    with open(path, "w") as handle:
        handle.write("".join(parts))


def measure_overhead(emulator, runner, repetitions, rounds, warmup=2):
    emulator.reset(2)
    path = os.path.join(runner.workdir, "overhead.yml")
    write_overhead_playbook(path, repetitions)
    ping, replicas, ratios = [], [], []
    for _round in range(rounds):
        timeline, _wall, _start, _end = runner.playbook(path)
        by_rep = {}
        for task in timeline["tasks"]:
            match = re.match(r"rep (\d+): (.*)", task["name"])
            if not match or int(match.group(1)) < warmup:
                continue
            by_rep.setdefault(int(match.group(1)), {})[match.group(2)] = task_end(task) - task["start"]
        for times in by_rep.values():
            ping.append(times["ping"])
            replicas.append(times["image_replicas no change"])
            ratios.append(times["image_replicas no change"] / times["ping"])
    return {
        "repetitions": repetitions, "rounds": rounds, "warmup": warmup, "samples": len(ping),
        "ping_median": median(ping), "replicas_median": median(replicas),
        "ratio_of_medians": median(replicas) / median(ping), "median_ratio": median(ratios),
        "ping_p90": sorted(ping)[int(0.9 * (len(ping) - 1))] if ping else float("nan"),
        "replicas_p90": sorted(replicas)[int(0.9 * (len(replicas) - 1))] if replicas else float("nan"),
    }


def measure_imports(emulator, runner, runs=7):
    """The module processes alone: ping's and the no-change image_replicas' AnsiballZ wrappers, kept with
    ANSIBLE_KEEP_REMOTE_FILES=1, run again directly (alternating), timed (wall and CPU), and run once more with
    -X importtime to see what image_replicas imports beyond ping. The wrappers import from their zip as in a
    real task (an exploded debug_dir would cache bytecode after the first run and hide the compile cost)."""
    emulator.reset(2)
    remote_tmp = os.path.join(runner.workdir, "remote_tmp")
    shutil.rmtree(remote_tmp, ignore_errors=True)
    path = os.path.join(runner.workdir, "one_task.yml")
    write_overhead_playbook(path, 1)
    runner.playbook(path, env={"ANSIBLE_KEEP_REMOTE_FILES": "1"})
    wrappers = {}
    for folder, _dirs, files in os.walk(remote_tmp):
        for name in ("ping", "image_replicas"):
            if "AnsiballZ_%s.py" % name in files:
                wrappers[name] = os.path.join(folder, "AnsiballZ_%s.py" % name)
    if len(wrappers) != 2:
        return {"error": "the AnsiballZ wrappers were not kept under %s" % remote_tmp}
    env = runner.env()
    times = {"ping": {"wall": [], "cpu": []}, "image_replicas": {"wall": [], "cpu": []}}
    for _run in range(runs):
        for name, wrapper in wrappers.items():
            before = os.times()
            started = time.perf_counter()
            subprocess.run([sys.executable, wrapper], env=env, cwd=os.path.dirname(wrapper), check=True, stdout=subprocess.DEVNULL)
            times[name]["wall"].append(time.perf_counter() - started)
            after = os.times()
            times[name]["cpu"].append((after.children_user - before.children_user) + (after.children_system - before.children_system))
    self_times = {}
    for name, wrapper in wrappers.items():
        done = subprocess.run([sys.executable, "-X", "importtime", wrapper], env=env, cwd=os.path.dirname(wrapper),
                              capture_output=True, text=True, check=True)
        self_times[name] = parse_importtime(done.stderr, column=1)
    extra = {}
    for module, micros in self_times["image_replicas"].items():
        if module not in self_times["ping"]:
            group = "cloudops.linode (its module_utils, compiled from the zip)" if module.startswith("ansible_collections") \
                else module.split(".")[0]
            extra[group] = extra.get(group, 0) + micros / 1e6
    return {
        "runs": runs,
        "process": dict((name, {"wall": median(values["wall"]), "cpu": median(values["cpu"])}) for name, values in times.items()),
        "extra_imports": sorted(extra.items(), key=lambda item: -item[1]),
        "extra_total": sum(extra.values()),
    }


def parse_importtime(text, column=2):
    """{module: microseconds} from python -X importtime output: column 1 is the module's own time, 2 cumulative."""
    found = {}
    for line in text.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
        if match:
            found.setdefault(match.group(4), int(match.group(column)))
    return found


def seed_many(emulator, count, first_number, label_prefix="bench"):
    images = []
    for index in range(count):
        number = first_number + index
        emulator.add_image(image_id_of(number), "%s-%03d" % (label_prefix, index + 1), ["us-east"])
        images.append(image_id_of(number))
    return images


WANTED_REGIONS = ["us-east", "fr-par", "nl-ams"]


def measure_many(emulator, runner, count, replication_seconds):
    """The role and the uri baseline over `count` images x 3 regions, no wait: a run that changes every image,
    then the same again (no change). Each playbook has its own images; the runs alternate role, uri, uri, role
    so that the machine's load drifting during the measurement hits both alike."""
    emulator.reset(replication_seconds)
    images = {"role": seed_many(emulator, count, 40001), "uri": seed_many(emulator, count, 41001, label_prefix="uri")}
    playbooks = {"role": "role_many.yml", "uri": "uri_baseline.yml"}
    result = {"images": count, "regions": len(WANTED_REGIONS)}
    for name, run in (("role", "changes"), ("uri", "changes"), ("uri", "no change"), ("role", "no change")):
        extra = {"bench_images": [{"image_id": image, "regions": WANTED_REGIONS} for image in images[name]]}
        emulator.clear_requests()
        timeline, wall, _start, _end = runner.playbook(os.path.join(PLAYBOOKS, playbooks[name]), extra_vars=extra)
        log = emulator.requests()
        result["%s, %s" % (name, run)] = {
            "wall": wall, "tasks_wall": timeline["ended"] - timeline["started"],
            "requests": len(log), "kinds": count_by_kind(log),
        }
    return result


def replication_spans(log, events):
    """Per image: (first POST time, time its last wanted replica became available)."""
    posts = {}
    for entry in log:
        match = REGIONS_POST.match(entry["path"]) if entry["method"] == "POST" else None
        if match:
            posts.setdefault(match.group(1), entry["time"])
    available = {}
    for event in events:
        if event.get("status") == "available" and event.get("region") and event["image"] in posts:
            available[event["image"]] = max(available.get(event["image"], 0), event["time"])
    return dict((image, (posts[image], available[image])) for image in posts if image in available)


def measure_wait_latency(emulator, runner, replication_times):
    rows = []
    for index, seconds in enumerate(replication_times):
        emulator.reset(seconds)
        image = image_id_of(50001 + index)
        emulator.add_image(image, "wait-%d" % index, ["us-east"])
        emulator.clear_requests()
        timeline, _wall, _start, _end = runner.playbook(
            os.path.join(PLAYBOOKS, "wait_one.yml"), extra_vars={"bench_image_id": image, "bench_regions": ["us-east", "fr-par"]})
        log = emulator.requests()
        events = [event for event in emulator.events() if event["image"] == image]
        task = timeline["tasks"][0]
        returned = task_end(task)
        post_time = min(entry["time"] for entry in log if entry["method"] == "POST")
        poll_times = [entry["time"] for entry in log if entry["method"] == "GET" and entry["time"] > post_time]
        available = max(event["time"] for event in events if event["status"] == "available" and event["region"] == "fr-par")
        last_interval = poll_times[-1] - (poll_times[-2] if len(poll_times) > 1 else post_time) if poll_times else 0.0
        delay = returned - available
        rows.append({
            "replication_seconds": seconds, "polls": len(poll_times), "delay": delay,
            "last_interval": last_interval, "after_last_poll": returned - poll_times[-1] if poll_times else None,
            "meets": delay < 2 + last_interval,
        })
    return rows


def measure_concurrency(emulator, runner, count, replication_seconds, forks, ways):
    result = {"images": count, "replication_seconds": replication_seconds, "forks": forks}
    inventory = os.path.join(HERE, "inventory", "bench_linode_images.yml")
    for name in ways:
        emulator.reset(replication_seconds)
        images = seed_many(emulator, count, 60001)
        emulator.clear_requests()
        if name == "role":
            extra = {"bench_images": [{"image_id": image, "regions": WANTED_REGIONS} for image in images], "bench_wait": True}
            timeline, wall, started, ended = runner.playbook(os.path.join(PLAYBOOKS, "role_many.yml"), extra_vars=extra)
        else:
            extra = {"bench_regions": WANTED_REGIONS, "bench_wait": True}
            timeline, wall, started, ended = runner.playbook(
                os.path.join(PLAYBOOKS, "inventory_wait.yml"), extra_vars=extra, inventory=inventory, forks=forks)
        log = emulator.requests()
        spans = replication_spans(log, emulator.events())
        durations = [end - start for start, end in spans.values()]
        phases = [(short_task_name(task["name"]), task_end(task) - task["start"]) for task in timeline["tasks"]]
        slowest = max(durations) if durations else float("nan")
        last_available = max(end for _start, end in spans.values()) if spans else float("nan")
        result[name] = {
            "wall": wall, "replicated": len(spans), "slowest": slowest, "sum": sum(durations),
            "ratio": wall / slowest, "after_last_available": ended - last_available,
            "first_post_after_start": min(start for start, _end in spans.values()) - started if spans else float("nan"),
            "last_post_after_start": max(start for start, _end in spans.values()) - started if spans else float("nan"),
            "requests": len(log), "kinds": count_by_kind(log), "phases": phases,
            "polls_per_image": (count_by_kind(log).get("image GET", 0) - len(spans)) / max(1, len(spans)),
            # The role polls every image at once with a listing; the first listing is its check, before any write.
            "listing_polls": max(0, count_by_kind(log).get("images listing", 0) - 1),
        }
    return result


# ---------------------------------------------------------------------------------------------------------
# the report


def concurrency_floor(conc, imports):
    """The least a many-images run can cost from the ping module process alone (None without that figure)."""
    ping = ((imports or {}).get("process") or {}).get("ping")
    if not ping:
        return None
    replication = conc["replication_seconds"]
    cpus = os.cpu_count() or 1
    serial = conc["images"] * ping["wall"]
    parallel = conc["images"] * ping["cpu"] / cpus
    return {"process_wall": ping["wall"], "process_cpu": ping["cpu"], "cpus": cpus,
            "serial": serial, "serial_ratio": (replication + serial) / replication,
            "parallel": parallel, "parallel_ratio": (replication + parallel) / replication}


def ansible_core_version():
    done = subprocess.run([sys.executable, "-c", "import ansible.release; print(ansible.release.__version__)"],
                          capture_output=True, text=True, check=True)
    return done.stdout.strip()


def mark(ok):
    return "meets" if ok else "**misses**"


def kinds_text(kinds):
    order = ("regions listing", "images listing", "image GET", "replicate POST")
    parts = ["%d %s" % (kinds[kind], kind) for kind in order if kinds.get(kind)]
    parts += ["%d %s" % (value, kind) for kind, value in sorted(kinds.items()) if kind not in order]
    return ", ".join(parts) or "none"


def render(results, config):
    env = results["environment"]
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`tests/bench/bench.py`); do not edit by hand: the history of fixes at the end comes",
        "from `tests/bench/HISTORY.md`. Everything runs against the local emulator (`tests/emulator/linode_emulator.py`);",
        "API calls are counted from its request log and replica availability times come from its event log.",
        "Times are wall-clock on a shared machine, so compare the ratios and counts, not the seconds.",
        "",
        "| | |",
        "|---|---|",
        "| date | %s |" % env["date"],
        "| CPUs | %s (load average at start: %s) |" % (env["cpus"], env["load"]),
        "| Python | %s |" % env["python"],
        "| ansible-core | %s |" % env["ansible_core"],
        "| platform | %s |" % env["platform"],
        "| run | %s%s |" % (config, " (smoke sizes: figures are not meaningful)" if results["smoke"] else ""),
        "| duration | %.0f s |" % results["duration"],
        "",
    ]
    missing = results.get("missing") or []
    if missing:
        lines += ["**Not measured:** " + "; ".join(missing), ""]

    calls = results["api_calls"]
    lines += [
        "## API calls per `image_replicas` task",
        "",
        "One task per case on its own image; requests counted from the emulator's log while the task ran.",
        "Replicas take %s s in this run (the polls depend on it). The fewest polls possible is one, read exactly when the "
        "replica is ready; the waiter's capped exponential backoff (1 s, then ×1.5, at most 5 s) spends a few more to "
        "notice quickly." % calls["replication_seconds"],
        "",
        "| case | GET | POST | polls (GETs after the POST) | minimum possible | target |",
        "|---|---|---|---|---|---|",
    ]
    for row in calls["rows"]:
        minimum = "%d GET%s" % (row["min_gets"], " + %d POST" % row["min_posts"] if row["min_posts"] else "")
        if row["waits"]:
            minimum += " + polls"
        lines.append("| %s | %d | %d | %s | %s | %s |" % (
            row["case"], row["gets"] - row["polls"], row["posts"], row["polls"] if row["waits"] else "–", minimum, mark(row["meets"])))
    lines.append("")

    overhead = results["overhead"]
    lines += [
        "## Per-task overhead: `image_replicas` that changes nothing vs `ansible.builtin.ping`",
        "",
        "%d interleaved pairs per playbook (the order flips every pair), %d playbook run(s), the first %d pairs of each run "
        "dropped as warm-up: %d samples each. Task time = task start to result, from the callback." % (
            overhead["repetitions"], overhead["rounds"], overhead["warmup"], overhead["samples"]),
        "",
        "| task | median | p90 |",
        "|---|---|---|",
        "| `ansible.builtin.ping` (localhost) | %.0f ms | %.0f ms |" % (overhead["ping_median"] * 1000, overhead["ping_p90"] * 1000),
        "| `cloudops.linode.image_replicas`, no change (1 GET) | %.0f ms | %.0f ms |" % (
            overhead["replicas_median"] * 1000, overhead["replicas_p90"] * 1000),
        "",
        "Ratio of the medians: **%.2f×** (median of the per-pair ratios: %.2f×); target at most 1.3×: %s." % (
            overhead["ratio_of_medians"], overhead["median_ratio"], mark(overhead["ratio_of_medians"] <= 1.3)),
        "",
    ]
    imports = results.get("imports") or {}
    if imports.get("process"):
        process = imports["process"]
        lines += [
            "The module processes alone (the AnsiballZ wrappers of one task each, kept with `ANSIBLE_KEEP_REMOTE_FILES=1` "
            "and run again directly, alternating, median of %d):" % imports["runs"],
            "",
            "| module process | wall | CPU |",
            "|---|---|---|",
            "| `ansible.builtin.ping` | %.0f ms | %.0f ms |" % (process["ping"]["wall"] * 1000, process["ping"]["cpu"] * 1000),
            "| `cloudops.linode.image_replicas`, no change | %.0f ms | %.0f ms |" % (
                process["image_replicas"]["wall"] * 1000, process["image_replicas"]["cpu"] * 1000),
            "",
            "What `image_replicas` imports that `ping` does not (`python -X importtime` on the wrapper, own time of each "
            "module, grouped by package; %.0f ms in all):" % (imports["extra_total"] * 1000),
            "",
            "| package | import time |",
            "|---|---|",
        ]
        shown = imports["extra_imports"][:10]
        for name, seconds in shown:
            lines.append("| `%s` | %.1f ms |" % (name, seconds * 1000))
        rest = sum(seconds for _name, seconds in imports["extra_imports"][10:])
        if rest:
            lines.append("| %d others | %.1f ms |" % (len(imports["extra_imports"]) - len(shown), rest * 1000))
        lines.append("")
    elif imports.get("error"):
        lines += ["Module process profile: %s" % imports["error"], ""]

    many = results.get("many")
    if many:
        lines += [
            "## Many images: the `image_replication` role vs a plain `ansible.builtin.uri` playbook",
            "",
            "%d images, each in us-east, wanted in %s (2 regions added per image); no wait. `changes` is the first run, "
            "`no change` the same playbook again. Target for the role: 1 regions listing + 1 private-images listing + "
            "1 GET per image + 1 POST per image that changes." % (many["images"], ", ".join(WANTED_REGIONS)),
            "",
            "| playbook | run | API requests | of which | target | wall time | vs uri |",
            "|---|---|---|---|---|---|---|",
        ]
        count = many["images"]
        for name in ("role", "uri"):
            for run in ("changes", "no change"):
                entry = many.get("%s, %s" % (name, run))
                if not entry:
                    continue
                if name == "role":
                    target_count = 2 + count + (count if run == "changes" else 0)
                    target = "%d: %s" % (target_count, mark(entry["requests"] == target_count))
                else:
                    target = "–"
                baseline = many.get("uri, %s" % run)
                versus = "%.2f×" % (entry["wall"] / baseline["wall"]) if baseline else "–"
                lines.append("| %s | %s | %d | %s | %s | %.1f s | %s |" % (
                    "role `cloudops.linode.image_replication`" if name == "role" else "`uri` GET + POST loop",
                    run, entry["requests"], kinds_text(entry["kinds"]), target, entry["wall"], versus))
        lines.append("")

    waits = results["wait_latency"]
    lines += [
        "## Waiting: from the last replica becoming available to the task returning",
        "",
        "One image, one region added, `wait: true`. *Delay* = the task's result time (callback) minus the replica's "
        "`available` event (emulator). Target: under 2 s plus the last poll interval.",
        "",
        "| replication time | polls | last poll interval | delay | task returned after its last poll | target |",
        "|---|---|---|---|---|---|",
    ]
    for row in waits:
        lines.append("| %.1f s | %d | %.2f s | %.2f s | %s | %s |" % (
            row["replication_seconds"], row["polls"], row["last_interval"], row["delay"],
            "%.2f s" % row["after_last_poll"] if row["after_last_poll"] is not None else "–", mark(row["meets"])))
    lines.append("")

    conc = results.get("concurrency")
    if conc:
        lines += [
            "## Many images with `wait: true`: concurrent waits",
            "",
            "%d images, each in us-east, wanted in %s; replicas take %s s. *Slowest* = the longest single replication "
            "(its POST to its last `available` event); *sum* = what waiting image after image would take at least. "
            "Wall time is the whole `ansible-playbook` process. Target: wall time under 1.5× the slowest." % (
                conc["images"], ", ".join(WANTED_REGIONS), conc["replication_seconds"]),
            "",
            "| how | wall time | slowest | sum | wall / slowest | overhead (wall − slowest) | first → last POST | "
            "end after last available | API requests | polls | target |",
            "|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for name in ("role", "inventory + forks"):
            entry = conc.get(name)
            if not entry:
                continue
            if name == "role":
                how = "role, writes then one images listing per poll"
                polls = "%d listings for all images" % entry["listing_polls"]
            else:
                how = "inventory plugin, `--forks %d`" % conc["forks"]
                polls = "%.1f GETs per image" % entry["polls_per_image"]
            lines.append("| %s | %.1f s | %.1f s | %.0f s | %.2f× | %.1f s | %.1f s → %.1f s | %.1f s | %d (%s) | %s | %s |" % (
                how, entry["wall"], entry["slowest"], entry["sum"], entry["ratio"], entry["wall"] - entry["slowest"],
                entry["first_post_after_start"],
                entry["last_post_after_start"], entry["after_last_available"], entry["requests"], kinds_text(entry["kinds"]),
                polls, mark(entry["ratio"] < 1.5)))
        lines += [
            "",
            "The overhead hardly depends on the replication time (launching the tasks, polling granularity, exit), so "
            "the ratio stays under 1.5× for replications longer than twice the overhead: %s." % ", ".join(
                "%s from %.0f s" % (name, 2 * (conc[name]["wall"] - conc[name]["slowest"]))
                for name in ("role", "inventory + forks") if conc.get(name)),
            "",
        ]
        floor = concurrency_floor(conc, results.get("imports"))
        if floor:
            lines += [
                "The floor under any way of doing it with one task per image: no module process costs less than "
                "`ansible.builtin.ping`'s (%.0f ms wall, %.0f ms CPU alone, above). A loop runs %d of them one after the other, "
                "at least %.1f s in all before the last write is answered: no per-image loop on this machine can end "
                "before %.2f× the slowest replication. Forks run them side by side, but %d processes on %d CPUs still need "
                "%.1f s of CPU time at least: %.2f×." % (
                    floor["process_wall"] * 1000, floor["process_cpu"] * 1000, conc["images"], floor["serial"],
                    floor["serial_ratio"], conc["images"], floor["cpus"], floor["parallel"], floor["parallel_ratio"]),
                "",
            ]
        for name in ("role", "inventory + forks"):
            entry = conc.get(name)
            if entry:
                lines.append("Phases, %s: %s." % (name, "; ".join("%s %.1f s" % (task, seconds) for task, seconds in entry["phases"])))
        lines.append("")

    if os.path.exists(HISTORY):
        with open(HISTORY) as handle:
            lines += [handle.read().rstrip(), ""]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--output", default=os.path.join(ROOT, "docs", "benchmarks.md"))
    parser.add_argument("--json", help="also write the raw figures here")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, to check the harness end to end")
    parser.add_argument("--images", type=int, default=50)
    parser.add_argument("--repetitions", type=int, default=12, help="ping / image_replicas pairs per overhead playbook")
    parser.add_argument("--rounds", type=int, default=2, help="overhead playbook runs")
    parser.add_argument("--concurrency-seconds", type=float, default=30.0, help="replication time for the 50-images-with-wait runs")
    parser.add_argument("--forks", type=int, default=50)
    parser.add_argument("--keep", action="store_true", help="keep the work folder (logs, timelines)")
    parser.add_argument("--only", nargs="*", default=None,
                        choices=["calls", "overhead", "imports", "many", "wait", "concurrency"], help="run only these")
    args = parser.parse_args()
    if args.smoke:
        args.images, args.repetitions, args.rounds, args.concurrency_seconds, args.forks = 3, 3, 1, 2.0, 3
    wait_times = [1.0] if args.smoke else [3.0, 6.0, 12.0]
    selected = set(args.only or ["calls", "overhead", "imports", "many", "wait", "concurrency"])

    workdir = tempfile.mkdtemp(prefix="cloudops-linode-bench-")
    began = time.time()
    results = {"smoke": args.smoke, "environment": {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpus": os.cpu_count(), "load": "%.2f %.2f %.2f" % os.getloadavg(),
        "python": platform.python_version(), "ansible_core": ansible_core_version(),
        "platform": platform.platform(terse=True),
    }, "missing": []}
    ways = ["role", "inventory + forks"]
    if not os.path.exists(os.path.join(ROOT, "roles", "image_replication", "tasks", "main.yml")):
        results["missing"].append("the role roles/image_replication does not exist yet")
        selected.discard("many")
        ways.remove("role")
    if not os.path.exists(os.path.join(ROOT, "plugins", "inventory", "images.py")):
        results["missing"].append("the inventory plugin plugins/inventory/images.py does not exist yet")
        ways.remove("inventory + forks")
    emulator = Emulator(2, workdir)
    try:
        runner = Runner(workdir, emulator)
        print("work folder %s, emulator %s" % (workdir, emulator.url), flush=True)
        steps = (
            ("calls", "api_calls", lambda: measure_api_calls(emulator, runner, 1.0 if args.smoke else 3.0)),
            ("overhead", "overhead", lambda: measure_overhead(emulator, runner, args.repetitions, args.rounds,
                                                              warmup=1 if args.smoke else 2)),
            ("imports", "imports", lambda: measure_imports(emulator, runner)),
            ("many", "many", lambda: measure_many(emulator, runner, args.images, 2)),
            ("wait", "wait_latency", lambda: measure_wait_latency(emulator, runner, wait_times)),
            ("concurrency", "concurrency", lambda: measure_concurrency(
                emulator, runner, args.images, args.concurrency_seconds, args.forks, ways)),
        )
        for key, name, step in steps:
            if key not in selected:
                continue
            started = time.time()
            print("measuring %s ..." % name, end=" ", flush=True)
            results[name] = step()
            print("%.0f s" % (time.time() - started), flush=True)
    finally:
        emulator.stop()
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    results["duration"] = time.time() - began
    results.setdefault("api_calls", {"replication_seconds": "-", "rows": []})
    results.setdefault("overhead", None)
    results.setdefault("wait_latency", [])
    config = "images=%d, repetitions=%d x %d, concurrency replication %ss, forks %d" % (
        args.images, args.repetitions, args.rounds, args.concurrency_seconds, args.forks)
    if results["overhead"] is None:
        results["overhead"] = {"repetitions": 0, "rounds": 0, "warmup": 0, "samples": 0, "ping_median": float("nan"),
                               "replicas_median": float("nan"), "ratio_of_medians": float("nan"), "median_ratio": float("nan"),
                               "ping_p90": float("nan"), "replicas_p90": float("nan")}
    text = render(results, config)
    os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
    with open(args.output, "w") as handle:
        handle.write(text)
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(results, handle, indent=2, default=str)
    print(text)
    print("\nwritten to %s" % args.output)


if __name__ == "__main__":
    main()
