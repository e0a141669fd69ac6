//! `switchyard roles [--all] [--explain ARN] [--json]` and `switchyard roles import FILE`:
//! the targets the daemon works out (`roles.list`) and importing an AWS Extend Switch
//! Roles configuration (`roles.import`).

use std::io::Read;

use anyhow::{bail, Context};
use switchyard_shared::protocol::roles::{
    RolesData, RolesImportData, RolesImportParams, RolesListParams, Target,
};
use switchyard_shared::protocol::Request;

use crate::cli::aws::answer;
use crate::cli::output;

#[derive(clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Args {
    #[command(subcommand)]
    command: Option<Command>,
    #[arg(long)]
    profile: Option<String>,
    /// Also list the roles your policies deny.
    #[arg(long)]
    all: bool,
    /// Show why one role ARN is (or is not) a target.
    #[arg(long, value_name = "ROLE_ARN")]
    explain: Option<String>,
    #[arg(long)]
    json: bool,
    /// Only the roles whose account name (the team's or the organization's), id, role name
    /// or display name contains this (any case).
    filter: Option<String>,
}

#[derive(clap::Subcommand)]
enum Command {
    /// Keep an AWS Extend Switch Roles configuration as this profile's list of roles
    /// (replacing the previous import). FILE `-` reads standard input.
    Import {
        file: String,
        #[arg(long)]
        profile: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

pub fn run(args: Args) -> anyhow::Result<()> {
    if let Some(Command::Import {
        file,
        profile,
        json,
    }) = args.command
    {
        return import(&file, profile, json);
    }
    let all = args.all || args.explain.is_some();
    let request = Request::RolesList(RolesListParams {
        profile: args.profile.clone(),
        all,
        ..RolesListParams::default()
    });
    let json = args.json && args.explain.is_none();
    let Some(roles) = answer::<RolesData>(request, &args.profile, json)? else {
        return Ok(());
    };
    for notice in &roles.notices {
        eprintln!("note: {notice}");
    }
    if let Some(arn) = args.explain {
        if switchyard_shared::switch::SwitchTarget::from_arn(&arn, "", "").is_err() {
            bail!("{arn} is not a role ARN (arn:aws:iam::ACCOUNT:role/NAME)");
        }
        let Some(target) = roles.targets.iter().find(|t| t.role_arn == arn) else {
            bail!(
                "{arn} is not a candidate: no policy statement, organization account or list \
                 names it (a role Switchyard does not know of cannot be decided)"
            );
        };
        if args.json {
            outln!("{}", serde_json::to_string_pretty(target)?);
        } else {
            explain(target)?;
        }
        return Ok(());
    }
    let needle = args.filter.as_deref().map(str::to_lowercase);
    let shown: Vec<&Target> = roles
        .targets
        .iter()
        .filter(|t| {
            needle.as_deref().is_none_or(|n| {
                [
                    t.account_name.as_deref().unwrap_or(""),
                    t.also_named.as_deref().unwrap_or(""),
                    &t.account_id,
                    &t.role_name,
                    &t.display_name,
                ]
                .iter()
                .any(|field| field.to_lowercase().contains(n))
            })
        })
        .collect();
    if roles.targets.is_empty() {
        outln!("no roles to switch to");
    } else if shown.is_empty() {
        outln!(
            "no role matches {:?} ({} in all)",
            args.filter.unwrap_or_default(),
            output::count(roles.targets.len(), "role", "roles")
        );
    } else {
        let mut table = output::table(&["account", "id", "role", "decision", "from", "role arn"]);
        for t in &shown {
            table.add_row(vec![
                output::colored(
                    t.account_name.as_deref().unwrap_or("-"),
                    Some(&format!("#{}", t.color.trim_start_matches('#'))),
                ),
                comfy_table::Cell::new(&t.account_id),
                comfy_table::Cell::new(&t.role_name),
                comfy_table::Cell::new(decision(t)),
                comfy_table::Cell::new(sources(t)),
                comfy_table::Cell::new(&t.role_arn),
            ]);
        }
        output::print_table(&table)?;
    }
    if roles.hidden > 0 {
        outln!(
            "({} hidden; --all shows them)",
            output::count(roles.hidden, "denied role", "denied roles")
        );
    }
    Ok(())
}

fn decision(t: &Target) -> &'static str {
    match t.decision {
        switchyard_shared::protocol::roles::TargetDecision::Allowed => "allowed",
        switchyard_shared::protocol::roles::TargetDecision::Conditional => "conditional",
        switchyard_shared::protocol::roles::TargetDecision::ExplicitDeny => "denied",
        switchyard_shared::protocol::roles::TargetDecision::ImplicitDeny => "not allowed",
        switchyard_shared::protocol::roles::TargetDecision::Unknown => "unknown",
        switchyard_shared::protocol::roles::TargetDecision::Console => "console",
    }
}

fn sources(t: &Target) -> String {
    let names: Vec<String> = t
        .sources
        .iter()
        .map(|s| {
            serde_json::to_value(s)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default()
        })
        .collect();
    names.join(",")
}

fn explain(t: &Target) -> anyhow::Result<()> {
    outln!("{}", t.role_arn);
    outln!("  decision:     {}", decision(t));
    outln!(
        "  account:      {} {}",
        t.account_id,
        t.account_name.as_deref().unwrap_or("")
    );
    outln!("  display name: {}  color #{}", t.display_name, t.color);
    outln!("  from:         {}", sources(t));
    for reason in &t.reasons {
        outln!("  because:      {reason}");
    }
    Ok(())
}

fn import(file: &str, profile: Option<String>, json: bool) -> anyhow::Result<()> {
    let text = if file == "-" {
        let mut text = String::new();
        std::io::stdin()
            .take(1 << 20)
            .read_to_string(&mut text)
            .context("reading standard input")?;
        text
    } else {
        std::fs::read_to_string(file).with_context(|| format!("cannot read {file}"))?
    };
    let request = Request::RolesImport(RolesImportParams {
        profile: profile.clone(),
        text,
    });
    let Some(done) = answer::<RolesImportData>(request, &profile, json)? else {
        return Ok(());
    };
    for skipped in &done.skipped {
        eprintln!("skipped {}: {}", skipped.what, skipped.why);
    }
    for remark in &done.remarks {
        println!("kept {}: {}", remark.what, remark.why);
    }
    if done.imported == 0 {
        bail!("nothing usable in {file}; the previous import is kept");
    }
    outln!(
        "imported {} for profile {}",
        output::count(done.imported, "role", "roles"),
        done.profile
    );
    Ok(())
}
