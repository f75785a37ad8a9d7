//! Decisions per second: a batch of 100,000 generated requests against
//! `../shared/corpus/gaad/examples/files/example.json` (44 users, 5 groups, 78 roles, 84
//! policies), and the time to load and compile that file into fact tables.
//!
//! Targets (issue 4): at least 200,000 decisions/s end to end on one core; load plus fact
//! compilation under 100 ms. Run with `cargo bench -p iamlogic-rules --bench decide`.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use facts::account::Model;
use facts::policy::{ActionClause, ResourceClause};
use facts::request::{Context, Request, RequestPrincipal};
use facts::tables::{FactTables, PrincipalKind};
use rules::{BatchRequest, Engine};

/// The allocator the `iamlogic` binary uses, so the figures match the command line.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const BATCH: usize = 100_000;

/// A small deterministic generator (64-bit LCG), so runs are comparable.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n.max(1)
    }
}

fn load() -> Option<(Model, FactTables)> {
    let path = facts::corpus::corpus_path("gaad/examples/files/example.json")?;
    let model = facts::account::load(&[path]).expect("example.json loads");
    let tables = FactTables::from_model(&model);
    Some((model, tables))
}

/// Requests mixing the policies' own concrete actions and resources (so that many match)
/// with some actions and resources no policy names.
fn requests(model: &Model, tables: &FactTables) -> Vec<BatchRequest> {
    let principals: Vec<_> = tables
        .principals
        .iter()
        .filter(|p| matches!(p.kind, PrincipalKind::User | PrincipalKind::Role))
        .collect();
    let mut actions = vec!["s3:GetObject".to_string(), "ec2:RunInstances".to_string()];
    let mut resources = vec![
        "*".to_string(),
        "arn:aws:s3:::example-bucket/key".to_string(),
    ];
    for p in &tables.policies {
        for st in &p.document.statements {
            if let ActionClause::Action(pats) = &st.action {
                actions.extend(pats.iter().map(|a| a.0.replace('*', "X")));
            }
            if let Some(ResourceClause::Resource(pats)) = &st.resource {
                resources.extend(pats.iter().map(|r| r.0.replace('*', "x")));
            }
        }
    }
    actions.sort();
    actions.dedup();
    resources.sort();
    resources.dedup();
    let mut rng = Lcg(42);
    let mut filled: HashMap<(u32, String), Arc<Context>> = HashMap::new();
    (0..BATCH)
        .map(|_| {
            let p = principals[rng.next(principals.len())];
            let request = Request {
                principal: RequestPrincipal::Aws {
                    arn: tables.symbols.name(p.arn).to_string(),
                },
                action: actions[rng.next(actions.len())].clone(),
                resource: resources[rng.next(resources.len())].clone(),
                context: Default::default(),
            };
            // The keys AWS fills, once per (caller, resource), shared as the CLI does.
            let shared = filled
                .entry((p.id, request.resource.clone()))
                .or_insert_with(|| {
                    let mut r = request.clone();
                    facts::account::context::fill(model, &mut r);
                    Arc::new(r.context)
                })
                .clone();
            BatchRequest {
                principal: p.id,
                resource: tables.resource_for(&request.resource).map(|x| x.id),
                resource_account: None,
                resource_account_id: None,
                vpc_endpoint_policy: None,
                shared_context: Some(shared),
                request,
            }
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let Some((model, tables)) = load() else {
        return;
    };
    // Load + compile, measured on its own (best of 5).
    let best = (0..5)
        .map(|_| {
            let t = Instant::now();
            let _ = load();
            t.elapsed()
        })
        .min()
        .unwrap_or_default();
    eprintln!("load + fact compilation of example.json: {best:?} (target < 100 ms)");

    let batch = requests(&model, &tables);
    let t = Instant::now();
    let engine = Engine::new(&tables);
    let decisions = engine.decide(&batch);
    let el = t.elapsed();
    let allowed = decisions
        .iter()
        .filter(|d| d.outcome == rules::Outcome::Allowed)
        .count();
    eprintln!(
        "one batch of {BATCH}: {el:?} = {:.0} decisions/s ({allowed} allowed)",
        BATCH as f64 / el.as_secs_f64()
    );

    let mut g = c.benchmark_group("decide");
    g.sample_size(10);
    g.throughput(Throughput::Elements(BATCH as u64));
    g.bench_function("example.json 100k requests", |b| {
        b.iter(|| Engine::new(&tables).decide(&batch))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
