//! cedar_peer — the Cedar side of the peer benchmark (issue 5), with the
//! protocol of rolegate_peer (bench/peers/rolegate_peer.cc):
//!
//!   cedar_peer --dir DIR --queries queries.tsv --expected expected.txt
//!              [--min-time SEC] [--max-time SEC] [--batch N] [--out result.json]
//!
//! DIR/cedar holds policies.cedar (one permit per assignment, one forbid per
//! deny assignment) and entities.json (principals with their groups as
//! parents, the scope tree, catalog actions with their action groups), as
//! translate.py wrote them. Load: both texts are in memory, then parsing the
//! policy set and building the entity store (with its transitive closure) is
//! timed. Requests are built before timing. Pass 0 checks every answer (a
//! mismatch prints the query and exits 3); timed passes follow until
//! --min-time. A sample is a batch of --batch queries; ns per decision =
//! (batch time - timer overhead) / batch. Peak RSS: VmHWM of /proc/self/status.
use cedar_policy::{
    Authorizer, Context, Decision, Entities, EntityId, EntityTypeName, EntityUid, PolicySet,
    Request,
};
use std::str::FromStr;
use std::time::Instant;

fn die(msg: &str) -> ! {
    eprintln!("cedar_peer: {msg}");
    std::process::exit(2);
}

fn read(path: &str) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| die(&format!("{path}: {e}")))
}

fn peak_rss_kb() -> i64 {
    let s = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    for line in s.lines() {
        if let Some(rest) = line.strip_prefix("VmHWM:") {
            return rest
                .trim()
                .trim_end_matches("kB")
                .trim()
                .parse()
                .unwrap_or(0);
        }
    }
    0
}

fn quantile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((p * (sorted.len() - 1) as f64) + 0.5) as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn timer_overhead() -> f64 {
    let mut v: Vec<f64> = (0..20001)
        .map(|_| {
            let a = Instant::now();
            let b = Instant::now();
            (b - a).as_nanos() as f64
        })
        .collect();
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let mut dir = String::new();
    let mut queries_path = String::new();
    let mut expected_path = String::new();
    let mut out = String::new();
    let (mut min_time, mut max_time, mut batch) = (2.0f64, 600.0f64, 8usize);
    let mut i = 1;
    while i < args.len() {
        let v = || {
            args.get(i + 1)
                .cloned()
                .unwrap_or_else(|| die(&format!("missing value for {}", args[i])))
        };
        match args[i].as_str() {
            "--dir" => dir = v(),
            "--queries" => queries_path = v(),
            "--expected" => expected_path = v(),
            "--out" => out = v(),
            "--min-time" => min_time = v().parse().unwrap_or_else(|_| die("bad --min-time")),
            "--max-time" => max_time = v().parse().unwrap_or_else(|_| die("bad --max-time")),
            "--batch" => {
                batch = v()
                    .parse::<usize>()
                    .unwrap_or_else(|_| die("bad --batch"))
                    .max(1)
            }
            a => die(&format!("unknown option {a}")),
        }
        i += 2;
    }
    if dir.is_empty() || queries_path.is_empty() || expected_path.is_empty() {
        die("--dir, --queries and --expected are required");
    }
    let qtext = read(&queries_path);
    let queries: Vec<(&str, &str, &str)> = qtext
        .lines()
        .filter(|l| !l.is_empty())
        .map(|l| {
            let mut f = l.split('\t');
            match (f.next(), f.next(), f.next()) {
                (Some(p), Some(a), Some(r)) => (p, a, r),
                _ => die(&format!("bad query line {l:?}")),
            }
        })
        .collect();
    let expected: Vec<bool> = read(&expected_path)
        .split_whitespace()
        .map(|s| s == "1")
        .collect();
    if expected.len() != queries.len() {
        die("expected file does not match the query set");
    }
    let policies_text = read(&format!("{dir}/cedar/policies.cedar"));
    let entities_text = read(&format!("{dir}/cedar/entities.json"));

    let t0 = Instant::now();
    let policies =
        PolicySet::from_str(&policies_text).unwrap_or_else(|e| die(&format!("policies: {e:?}")));
    let entities = Entities::from_json_str(&entities_text, None)
        .unwrap_or_else(|e| die(&format!("entities: {e:?}")));
    let load_ms = t0.elapsed().as_secs_f64() * 1e3;
    eprintln!(
        "peer cedar: loaded in {load_ms:.1} ms ({} policies)",
        policies.policies().count()
    );
    drop(policies_text);
    drop(entities_text);

    let tp = EntityTypeName::from_str("P").unwrap();
    let ts = EntityTypeName::from_str("S").unwrap();
    let ta = EntityTypeName::from_str("Action").unwrap();
    let requests: Vec<Request> = queries
        .iter()
        .map(|(p, a, r)| {
            Request::new(
                EntityUid::from_type_name_and_id(tp.clone(), EntityId::new(*p)),
                EntityUid::from_type_name_and_id(ta.clone(), EntityId::new(*a)),
                EntityUid::from_type_name_and_id(ts.clone(), EntityId::new(*r)),
                Context::empty(),
                None,
            )
            .unwrap_or_else(|e| die(&format!("request: {e}")))
        })
        .collect();
    let auth = Authorizer::new();
    let decide = |r: &Request| -> bool {
        let resp = auth.is_authorized(r, &policies, &entities);
        if resp.diagnostics().errors().next().is_some() {
            die(&format!(
                "evaluation errors: {:?}",
                resp.diagnostics().errors().collect::<Vec<_>>()
            ));
        }
        resp.decision() == Decision::Allow
    };

    let overhead = timer_overhead();
    let n = requests.len();
    let mut samples0 = Vec::with_capacity(n / batch + 1);
    let mut allowed = 0usize;
    let start0 = Instant::now();
    let mut i = 0;
    while i < n {
        let end = (i + batch).min(n);
        let mut got = [false; 256];
        let a = Instant::now();
        for j in i..end {
            got[(j - i) & 255] = decide(&requests[j]);
        }
        let el = a.elapsed().as_nanos() as f64;
        if end - i == batch {
            samples0.push((el - overhead) / batch as f64);
        }
        for j in i..end {
            let g = got[(j - i) & 255];
            if g {
                allowed += 1;
            }
            if g != expected[j] {
                let (p, ac, r) = queries[j];
                eprintln!(
                    "MISMATCH query {j}: {p} {ac} {r}: cedar says {g}, rolegate {}",
                    expected[j]
                );
                std::process::exit(3);
            }
        }
        let s = start0.elapsed().as_secs_f64();
        if s > max_time {
            let mut v = samples0.clone();
            v.sort_by(|a, b| a.partial_cmp(b).unwrap());
            let res = serde_json::json!({"engine": "cedar", "load_ms": load_ms, "queries": n, "answers": "timeout",
                "answered": end, "seconds": s, "median_ns": quantile(&v, 0.5), "peak_rss_kb": peak_rss_kb()});
            write_out(&out, &res);
            eprintln!("peer cedar: pass 0 over budget after {end} of {n} queries");
            std::process::exit(4);
        }
        i = end;
    }
    let pass0 = start0.elapsed().as_secs_f64();
    let first_median = {
        let mut v = samples0.clone();
        v.sort_by(|a, b| a.partial_cmp(b).unwrap());
        quantile(&v, 0.5)
    };
    let mut passes = 0;
    let mut samples = samples0;
    if batch > 256 {
        die("--batch at most 256");
    }
    if pass0 * 2.0 <= max_time {
        samples = Vec::new();
        let start = Instant::now();
        loop {
            let mut i = 0;
            while i + batch <= n {
                let a = Instant::now();
                let mut acc = false;
                for r in &requests[i..i + batch] {
                    acc ^= decide(r);
                }
                let el = a.elapsed().as_nanos() as f64;
                std::hint::black_box(acc);
                samples.push((el - overhead) / batch as f64);
                i += batch;
            }
            passes += 1;
            let el = start.elapsed().as_secs_f64();
            if el >= min_time || el + pass0 >= max_time {
                break;
            }
        }
    }
    samples.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let mean = if samples.is_empty() {
        0.0
    } else {
        samples.iter().sum::<f64>() / samples.len() as f64
    };
    let res = serde_json::json!({
        "engine": "cedar", "load_ms": load_ms, "queries": n, "allowed": allowed, "passes": passes,
        "batch": batch, "samples": samples.len(), "median_ns": quantile(&samples, 0.5),
        "p99_ns": quantile(&samples, 0.99), "mean_ns": mean, "timer_overhead_ns": overhead,
        "pass0_s": pass0, "first_pass_median_ns": first_median, "peak_rss_kb": peak_rss_kb(), "answers": "match",
    });
    write_out(&out, &res);
}

fn write_out(path: &str, res: &serde_json::Value) {
    let s = format!("{res}\n");
    if path.is_empty() {
        print!("{s}");
    } else if let Err(e) = std::fs::write(path, s) {
        die(&format!("{path}: {e}"));
    }
}
