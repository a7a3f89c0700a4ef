//! Render speed of the default baseline: 1 account x 17 regions, and 100 accounts x 17
//! regions. Measures load + validate + plan + render + parse-back checks, everything
//! `cfn-baseline render` does before writing files; and the whole `render` of the estate to
//! disk (templates and manifest, written atomically). `scripts/bench-render` measures the
//! binary's peak memory and compares with `cp -r`.

use criterion::{criterion_group, criterion_main, Criterion};

use cfn_baseline::baseline::{self, regions::DEFAULT_ENABLED_REGIONS, Source, DEFAULT_BASELINE};
use cfn_baseline::render::{render_all, write_render, Renderer};

fn baseline_text(accounts: usize) -> String {
    let ids: Vec<String> = (0..accounts)
        .map(|i| format!("\"{:012}\"", 100_000_000_000u64 + i as u64))
        .collect();
    let text = DEFAULT_BASELINE.replace(
        "regions: [us-east-1]",
        &format!("regions: [{}]", DEFAULT_ENABLED_REGIONS.join(", ")),
    );
    format!("{text}\naccounts: [{}]\n", ids.join(", "))
}

fn render(text: &str, renderer: &Renderer) -> usize {
    let (baseline, _) = baseline::load(Source {
        name: "bench.yaml".into(),
        text: text.into(),
    })
    .unwrap_or_else(|d| panic!("{d:?}"));
    render_all(&baseline, renderer).unwrap().len()
}

/// What `cfn-baseline render --out` does: render, then write every file and the manifest.
fn render_to_disk(text: &str, renderer: &Renderer, out: &std::path::Path) -> usize {
    let (baseline, _) = baseline::load(Source {
        name: "bench.yaml".into(),
        text: text.into(),
    })
    .unwrap_or_else(|d| panic!("{d:?}"));
    let stacks = render_all(&baseline, renderer).unwrap();
    write_render(out, &baseline, &stacks).unwrap()
}

fn benches(c: &mut Criterion) {
    let renderer = Renderer::new(None).unwrap();
    let one = baseline_text(1);
    let hundred = baseline_text(100);
    assert_eq!(render(&one, &renderer), 1 + 17 * 4);
    assert_eq!(render(&hundred, &renderer), 100 * (1 + 17 * 4));
    c.bench_function("render default, 1 account x 17 regions", |b| {
        b.iter(|| render(&one, &renderer))
    });
    let mut group = c.benchmark_group("large");
    group.sample_size(10);
    group.bench_function("render default, 100 accounts x 17 regions", |b| {
        b.iter(|| render(&hundred, &renderer))
    });
    // On tmpfs where there is one, so the figure is the tool's, not the disk's.
    let root = std::path::Path::new("/dev/shm");
    let dir = if root.is_dir() {
        tempfile::tempdir_in(root).unwrap()
    } else {
        tempfile::tempdir().unwrap()
    };
    let out = dir.path().join("out");
    group.bench_function("render default to disk, 100 accounts x 17 regions", |b| {
        b.iter(|| render_to_disk(&hundred, &renderer, &out))
    });
    group.finish();
}

criterion_group!(render_benches, benches);
criterion_main!(render_benches);
