//! Service composition: the plugin into an HTTP service for standard WASI engines (issue 20,
//! docs/deploy.md).
//!
//! The adapter (`adapters/wasi-imports`) exports the plugin's three imports over `wasi:*`, and
//! `service-host` for the front; the service front (`adapters/http-service`) imports the plugin's
//! `actions` and `service-host` and exports `wasi:http/incoming-handler`. `wac-graph` wires adapter →
//! plugin → front and adapter → front; whatever the adapter and the front import from WASI becomes
//! the composition's imports (shared where both import the same interface), and the front's exports
//! are its exports. The plugin component is used unchanged.

use std::path::Path;

use anyhow::{Context, Result, bail};
use wac_graph::types::Package;
use wac_graph::{CompositionGraph, EncodeOptions, NodeId, PackageId};

use crate::toolchain::Toolchain;
use crate::{componentize, guest};

/// Builds both adapters with `toolchain` and returns the composed service component.
pub fn compose(toolchain: &Toolchain, root: &Path, guest_dir: &Path, plugin: &[u8]) -> Result<Vec<u8>> {
    let adapter = componentize::encode(&guest::build(toolchain, root, guest_dir, "dockerhub-org-wasi-imports")?)?;
    let front = componentize::encode(&guest::build(toolchain, root, guest_dir, "dockerhub-org-http-service")?)?;

    let mut graph = CompositionGraph::new();
    let adapter = register(&mut graph, "dockerhub:wasi-imports", adapter)?;
    let plugin = register(&mut graph, "dockerhub:org", plugin.to_vec())?;
    let front = register(&mut graph, "dockerhub:http-service", front)?;

    let adapter = graph.instantiate(adapter);
    let plugin = graph.instantiate(plugin);
    let front = graph.instantiate(front);
    let plugged = plug(&mut graph, adapter, plugin)?;
    if plugged.len() != 3 {
        bail!("the adapter should satisfy the plugin's three imports, but satisfied {plugged:?}");
    }
    plug(&mut graph, plugin, front)?;
    let plugged = plug(&mut graph, adapter, front)?;
    if plugged.len() != 1 {
        bail!("the adapter should satisfy the front's service-host import, but satisfied {plugged:?}");
    }
    for name in &export_names(&graph, front)? {
        let export = graph.alias_instance_export(front, name)?;
        graph.export(export, name)?;
    }
    graph.encode(EncodeOptions::default()).context("encoding the composed service")
}

fn register(graph: &mut CompositionGraph, name: &str, bytes: Vec<u8>) -> Result<PackageId> {
    let package =
        Package::from_bytes(name, None, bytes, graph.types_mut()).with_context(|| format!("reading {name}"))?;
    graph.register_package(package).with_context(|| format!("registering {name}"))
}

/// The export names of the instance `node`'s component.
fn export_names(graph: &CompositionGraph, node: NodeId) -> Result<Vec<String>> {
    let package = graph[node].package().context("an instantiation without a package")?;
    Ok(graph.types()[graph[package].ty()].exports.keys().cloned().collect())
}

/// Passes every export of `from` that `to` imports under the same name; returns those names.
fn plug(graph: &mut CompositionGraph, from: NodeId, to: NodeId) -> Result<Vec<String>> {
    let to_package = graph[to].package().context("an instantiation without a package")?;
    let imports: Vec<String> = graph.types()[graph[to_package].ty()].imports.keys().cloned().collect();
    let mut plugged = Vec::new();
    for name in export_names(graph, from)? {
        if imports.contains(&name) {
            let export = graph.alias_instance_export(from, &name)?;
            graph.set_instantiation_argument(to, &name, export).with_context(|| format!("plugging {name}"))?;
            plugged.push(name);
        }
    }
    Ok(plugged)
}
