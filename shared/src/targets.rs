//! Working out the targets (account + role) a user may switch to, from their IAM policies
//! and the lists they keep, without I/O: which role ARNs are candidates, how each is
//! decided (`sts:AssumeRole` through [`crate::policy`]), and how each is shown (display
//! name, color).
//!
//! Candidates are every concrete role ARN in the user's `sts:AssumeRole` statements, every
//! listed role (`~/.aws/config`, imports), and, for statements with wildcards, every
//! known account crossed with every known role name; the evaluator then keeps what the
//! policies allow. Known role names come from the statements' literal role names, the
//! lists, and `OrganizationAccountAccessRole` (the role Organizations creates).

use std::collections::{BTreeMap, BTreeSet};

use crate::policy::{Context, Decision, Effect, Evaluator, Policy};
use crate::protocol::roles::{
    LookOrigin, SsoRoleRef, Target, TargetBase, TargetDecision, TargetSource,
};

/// The role AWS Organizations creates in each new member account.
pub const ORGANIZATION_ROLE: &str = "OrganizationAccountAccessRole";

/// The action every target is decided for.
pub const ASSUME_ROLE: &str = "sts:AssumeRole";

/// The parts of a role ARN: `arn:PARTITION:iam::ACCOUNT:role/PATH/NAME`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleArn<'a> {
    pub partition: &'a str,
    pub account_id: &'a str,
    /// The name: the last segment of the path.
    pub role_name: &'a str,
}

/// Read a concrete role ARN (no wildcards, a 12-digit account, a valid role name).
pub fn parse_role_arn(arn: &str) -> Option<RoleArn<'_>> {
    let mut parts = arn.splitn(6, ':');
    let (prefix, partition, service, region, account_id, resource) = (
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    );
    if prefix != "arn" || service != "iam" || !region.is_empty() || partition.is_empty() {
        return None;
    }
    if account_id.len() != 12 || !account_id.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let path = resource.strip_prefix("role/")?;
    let role_name = path.rsplit('/').next()?;
    is_role_name(role_name).then_some(RoleArn {
        partition,
        account_id,
        role_name,
    })
}

/// IAM's rule for role names: 1 to 64 of letters, digits and `+=,.@_-`.
pub fn is_role_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+=,.@_-".contains(&b))
}

/// A role from a list the user keeps (`~/.aws/config`, an imported configuration).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedRole {
    pub role_arn: String,
    pub source: TargetSource,
    /// The list's name for it (a profile or section name).
    pub label: Option<String>,
    /// `RRGGBB`.
    pub color: Option<String>,
    pub region: Option<String>,
    /// An `https://` image (AESR's `image`).
    pub image: Option<String>,
    /// Where one signs in before switching to it (AESR's `source_profile`).
    pub base: Option<TargetBase>,
}

/// Everything discovery knows, ready to be decided.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    /// The partition the user is in (`aws`, `aws-us-gov`, `aws-cn`).
    pub partition: String,
    /// The user's identity policies; empty with `policies_known: false`.
    pub policies: Vec<Policy>,
    pub boundary: Option<Vec<Policy>>,
    /// False when the user's policies could not be read: list targets are then `unknown`.
    pub policies_known: bool,
    /// Set when no policies are read because there is nothing to read them with (no key
    /// stored for the profile, or a `lists_only` answer): the listed targets are then
    /// `console` (the console session they are switched from decides), with this reason.
    pub console: Option<String>,
    pub listed: Vec<ListedRole>,
    /// Account id → name, from the organization.
    pub accounts: BTreeMap<String, String>,
    /// Account id → what the team set for it (read from the account's tags by
    /// `crate::team`).
    pub team: BTreeMap<String, TeamLook>,
    /// The roles IAM Identity Center grants the signed-in sessions (the portal's
    /// ListAccounts and ListAccountRoles): allowed without a policy to read.
    pub identity_center: Vec<GrantedRole>,
    /// Profile name → the Identity Center role it signs in as (`sso_*` profiles of
    /// `~/.aws/config`): a listed target whose base is such a profile is reached by
    /// chaining from that role.
    pub sso_profiles: BTreeMap<String, SsoRoleRef>,
}

/// A role (permission set) in an account that an Identity Center session grants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantedRole {
    pub role: SsoRoleRef,
    /// The account's name as Identity Center gives it.
    pub account_name: Option<String>,
}

/// The role ARN a target granted by Identity Center is shown under: the path Identity
/// Center creates its roles in, with the permission set's name (the real role's name adds
/// a suffix the portal does not tell: `AWSReservedSSO_<set>_<hash>`). Nothing assumes it:
/// such a target is switched to with GetRoleCredentials.
pub fn identity_center_role_arn(partition: &str, role: &SsoRoleRef) -> String {
    format!(
        "arn:{partition}:iam::{}:role/aws-reserved/sso.amazonaws.com/{}",
        role.account_id, role.role_name
    )
}

/// What a team set for an account: its name wins over the organization's, its color over
/// the derived one (a person's own imported color still wins), its role hints come first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TeamLook {
    pub name: Option<String>,
    /// `rrggbb`, and whether the team's tag (`Team`) or the console's color (`Console`)
    /// gave it.
    pub color: Option<(String, LookOrigin)>,
    pub role_hints: Vec<String>,
}

/// The resources of the policies' Allow statements that cover `sts:AssumeRole`.
fn assume_role_resources(policies: &[Policy]) -> impl Iterator<Item = &str> {
    policies
        .iter()
        .flat_map(|p| p.statements())
        .filter(|s| s.effect() == Effect::Allow && s.covers_action(ASSUME_ROLE))
        .filter_map(|s| match s.resources() {
            (resources, false) => Some(resources),
            (_, true) => None,
        })
        .flatten()
        .map(String::as_str)
}

fn has_wildcard(text: &str) -> bool {
    text.contains(['*', '?']) || text.contains("${")
}

/// Every role ARN worth deciding, with what names it: `Policy` for a role an Allow
/// statement names outright, and the lists. An empty set marks a guess (a pattern crossed
/// with the known accounts and names), kept only if the policies allow it.
pub fn candidates(inputs: &Inputs) -> BTreeMap<String, BTreeSet<TargetSource>> {
    let mut out: BTreeMap<String, BTreeSet<TargetSource>> = BTreeMap::new();
    let mut names: BTreeSet<String> = BTreeSet::from([ORGANIZATION_ROLE.to_owned()]);
    let mut accounts: BTreeSet<String> = inputs.accounts.keys().cloned().collect();
    let mut patterns = false;
    for resource in assume_role_resources(&inputs.policies) {
        if let Some(arn) = parse_role_arn(resource) {
            names.insert(arn.role_name.to_owned());
            accounts.insert(arn.account_id.to_owned());
            out.entry(resource.to_owned())
                .or_default()
                .insert(TargetSource::Policy);
            continue;
        }
        patterns = true;
        // The literal parts of a pattern name accounts or roles worth crossing.
        let parts: Vec<&str> = resource.splitn(6, ':').collect();
        if let [_, _, _, _, account, role] = parts.as_slice() {
            if account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()) {
                accounts.insert((*account).to_owned());
            }
            if let Some(name) = role
                .strip_prefix("role/")
                .and_then(|p| p.rsplit('/').next())
            {
                if !has_wildcard(name) && is_role_name(name) {
                    names.insert(name.to_owned());
                }
            }
        }
    }
    for listed in &inputs.listed {
        if let Some(arn) = parse_role_arn(&listed.role_arn) {
            names.insert(arn.role_name.to_owned());
            out.entry(listed.role_arn.clone())
                .or_default()
                .insert(listed.source);
        }
    }
    if patterns {
        for account in &accounts {
            for name in &names {
                let arn = format!("arn:{}:iam::{account}:role/{name}", inputs.partition);
                out.entry(arn).or_default();
            }
        }
    }
    out
}

/// Decide every candidate and shape the targets. Guesses the policies do not allow are
/// dropped; named candidates are kept with their decision (denied ones for `--all`).
pub fn decide(inputs: &Inputs, context: &Context) -> Vec<Target> {
    let candidates = candidates(inputs);
    let evaluator = Evaluator::new(
        &inputs.policies,
        inputs.boundary.as_deref(),
        ASSUME_ROLE,
        context,
    );
    let mut by_arn: std::collections::HashMap<&str, Vec<&ListedRole>> =
        std::collections::HashMap::new();
    for listed in &inputs.listed {
        by_arn
            .entry(listed.role_arn.as_str())
            .or_default()
            .push(listed);
    }
    let mut targets = Vec::new();
    for (role_arn, named_by) in candidates {
        let (decision, reasons) = if let Some(reason) = &inputs.console {
            (TargetDecision::Console, vec![reason.clone()])
        } else if inputs.policies_known {
            let evaluation = evaluator.evaluate(&role_arn);
            let decision = match evaluation.decision {
                Decision::Allowed => TargetDecision::Allowed,
                Decision::Conditional => TargetDecision::Conditional,
                Decision::ExplicitDeny => TargetDecision::ExplicitDeny,
                Decision::ImplicitDeny => TargetDecision::ImplicitDeny,
            };
            let mut reasons: Vec<String> =
                evaluation.reasons.iter().map(|r| r.describe()).collect();
            if !evaluation.unknown_keys.is_empty() {
                reasons.push(format!("depends on {}", evaluation.unknown_keys.join(", ")));
            }
            for kind in &evaluation.missing_allow {
                reasons.push(format!("no {} policy allows it", kind.as_str()));
            }
            (decision, reasons)
        } else {
            (
                TargetDecision::Unknown,
                vec!["the user's policies could not be read".to_owned()],
            )
        };
        let from_policy = matches!(
            decision,
            TargetDecision::Allowed | TargetDecision::Conditional
        );
        if !from_policy && named_by.is_empty() {
            continue;
        }
        let Some(arn) = parse_role_arn(&role_arn) else {
            continue;
        };
        let mut sources: Vec<TargetSource> = named_by.into_iter().collect();
        if from_policy && !sources.contains(&TargetSource::Policy) {
            sources.insert(0, TargetSource::Policy);
        }
        let listings = by_arn.get(role_arn.as_str()).map_or(&[][..], Vec::as_slice);
        // One target per name an import gives the role (AESR lists the same role under
        // two names twice, each with its name and color); other listings of it (a
        // profile in ~/.aws/config) lend the first their color and region.
        let mut entries: Vec<Option<&ListedRole>> = Vec::new();
        for listed in listings
            .iter()
            .filter(|l| l.source == TargetSource::Imported)
        {
            if !entries.iter().flatten().any(|e| e.label == listed.label) {
                entries.push(Some(listed));
            }
        }
        if entries.is_empty() {
            let first = listings
                .iter()
                .find(|l| l.color.is_some())
                .or(listings.first())
                .copied();
            entries.push(first);
        }
        let look = inputs.team.get(arn.account_id);
        let org_name = match look.and_then(|l| l.name.clone()) {
            Some(name) => Some((name, LookOrigin::Team)),
            None => inputs
                .accounts
                .get(arn.account_id)
                .map(|name| (name.clone(), LookOrigin::Organization)),
        };
        // The organization's name, still searchable, when the team's replaced it.
        let also_named = match (&org_name, inputs.accounts.get(arn.account_id)) {
            (Some((team, LookOrigin::Team)), Some(org)) if team != org => Some(org.clone()),
            _ => None,
        };
        for listed in entries {
            let (account_name, name_from) = match org_name.clone() {
                Some((name, from)) => (Some(name), Some(from)),
                None => match listed.and_then(|l| l.label.clone()) {
                    Some(label) => (Some(label), listed.map(|l| LookOrigin::of_list(l.source))),
                    None => (None, None),
                },
            };
            let imported_name = listed
                .filter(|l| l.source == TargetSource::Imported)
                .and_then(|l| l.label.as_deref())
                .map(clean_display_name)
                .filter(|name| !name.is_empty());
            // The person's own color (theirs, on this machine) wins; then the team's.
            let (color, color_from) = listed
                .filter(|l| l.color.is_some())
                .or_else(|| listings.iter().copied().find(|l| l.color.is_some()))
                .and_then(|l| Some((l.color.clone()?, LookOrigin::of_list(l.source))))
                .or_else(|| look.and_then(|l| l.color.clone()))
                .unwrap_or_else(|| (color_for(arn.account_id), LookOrigin::Derived));
            targets.push(Target {
                display_name: imported_name.unwrap_or_else(|| {
                    display_name(arn.role_name, account_name.as_deref(), arn.account_id)
                }),
                color,
                region: listed
                    .and_then(|l| l.region.clone())
                    .or_else(|| listings.iter().find_map(|l| l.region.clone())),
                account_id: arn.account_id.to_owned(),
                role_name: arn.role_name.to_owned(),
                account_name,
                also_named: also_named.clone(),
                role_arn: role_arn.clone(),
                sources: sources.clone(),
                decision,
                reasons: reasons.clone(),
                image: listed.and_then(|l| l.image.clone()),
                sso: listed
                    .and_then(|l| l.base.as_ref())
                    .and_then(|b| inputs.sso_profiles.get(&b.profile))
                    .cloned(),
                base: listed.and_then(|l| l.base.clone()),
                name_from: name_from.or(Some(LookOrigin::Derived)),
                color_from: Some(color_from),
            });
        }
    }
    targets.extend(identity_center_targets(inputs));
    targets.sort_by(|a, b| {
        rank(a.decision)
            .cmp(&rank(b.decision))
            .then_with(|| a.account_name.cmp(&b.account_name))
            .then_with(|| a.account_id.cmp(&b.account_id))
            .then_with(|| hint_rank(inputs, a).cmp(&hint_rank(inputs, b)))
            .then_with(|| a.role_name.cmp(&b.role_name))
            .then_with(|| a.display_name.cmp(&b.display_name))
    });
    targets
}

/// The targets Identity Center grants: allowed (the portal lists only what the user is
/// assigned), named by the team, the organization or Identity Center, in that order.
fn identity_center_targets(inputs: &Inputs) -> Vec<Target> {
    let mut seen = BTreeSet::new();
    let mut targets = Vec::new();
    for granted in &inputs.identity_center {
        let role = &granted.role;
        let role_arn = identity_center_role_arn(&inputs.partition, role);
        if !seen.insert(role_arn.clone()) {
            continue;
        }
        let look = inputs.team.get(&role.account_id);
        let named = look
            .and_then(|l| l.name.clone())
            .map(|n| (n, LookOrigin::Team))
            .or_else(|| {
                let name = inputs.accounts.get(&role.account_id)?;
                Some((name.clone(), LookOrigin::Organization))
            })
            .or_else(|| Some((granted.account_name.clone()?, LookOrigin::IdentityCenter)));
        let (color, color_from) = look
            .and_then(|l| l.color.clone())
            .unwrap_or_else(|| (color_for(&role.account_id), LookOrigin::Derived));
        let name_from = Some(named.as_ref().map_or(LookOrigin::Derived, |(_, o)| *o));
        let account_name = named.map(|(n, _)| n);
        // The organization's (or Identity Center's) name, still searchable, when the
        // team's replaced it.
        let also_named = match (&name_from, &account_name) {
            (Some(LookOrigin::Team), Some(team)) => inputs
                .accounts
                .get(&role.account_id)
                .or(granted.account_name.as_ref())
                .filter(|other| *other != team)
                .cloned(),
            _ => None,
        };
        targets.push(Target {
            display_name: display_name(&role.role_name, account_name.as_deref(), &role.account_id),
            color,
            name_from,
            color_from: Some(color_from),
            region: None,
            account_id: role.account_id.clone(),
            role_name: role.role_name.clone(),
            account_name,
            also_named,
            role_arn,
            sources: vec![TargetSource::IdentityCenter],
            decision: TargetDecision::Allowed,
            reasons: vec![format!(
                "granted by IAM Identity Center (session {}): permission set {}",
                role.session, role.role_name
            )],
            image: None,
            base: None,
            sso: Some(role.clone()),
        });
    }
    targets
}

/// Where a target's role stands among its account's role hints: hinted ones first, in
/// the hint's order; the rest after them.
fn hint_rank(inputs: &Inputs, target: &Target) -> usize {
    inputs.team.get(&target.account_id).map_or(0, |look| {
        look.role_hints
            .iter()
            .position(|h| *h == target.role_name)
            .unwrap_or(look.role_hints.len())
    })
}

fn rank(decision: TargetDecision) -> u8 {
    match decision {
        TargetDecision::Allowed => 0,
        TargetDecision::Conditional => 1,
        TargetDecision::Unknown | TargetDecision::Console => 2,
        TargetDecision::ImplicitDeny => 3,
        TargetDecision::ExplicitDeny => 4,
    }
}

/// Whether a target belongs in the default list (allowed, conditional, unknown, or left
/// to the console).
pub fn is_shown(target: &Target) -> bool {
    !matches!(
        target.decision,
        TargetDecision::ExplicitDeny | TargetDecision::ImplicitDeny
    )
}

/// What the console shows after switching: `Role @ Account`, at most 64 characters
/// (the console's limit).
pub fn display_name(role_name: &str, account_name: Option<&str>, account_id: &str) -> String {
    let text = format!("{role_name} @ {}", account_name.unwrap_or(account_id));
    text.chars().take(64).collect()
}

/// A list's name for a target as the console's display name: control characters left
/// out, at most 64 characters (the console's limit).
pub fn clean_display_name(name: &str) -> String {
    name.chars()
        .filter(|c| !c.is_control())
        .take(64)
        .collect::<String>()
        .trim()
        .to_owned()
}

/// A color for an account, the same every time: one of twelve distinct hues.
pub fn color_for(account_id: &str) -> String {
    const PALETTE: [&str; 12] = [
        "e6194b", "3cb44b", "ffe119", "4363d8", "f58231", "911eb4", "46f0f0", "f032e6", "bcf60c",
        "fabebe", "008080", "9a6324",
    ];
    // FNV-1a: stable across builds and platforms (std's hasher is not).
    let hash = account_id.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    PALETTE[(hash % PALETTE.len() as u64) as usize].to_owned()
}

#[cfg(test)]
mod tests;
