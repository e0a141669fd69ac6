// Differential test: Switchyard's reading of AWS Extend Switch Roles configurations
// against AESR's own parser, `aesr-config` from npm (the package AESR's popup imports).
// Each input is imported with `switchyard roles import` (no key stored anywhere: no
// keyring runs, the session bus address leads nowhere) and read back with `switchyard
// roles --json`; aesr-config parses the same text. The inputs are AESR's documented
// examples (its README), aesr-config's own test inputs (its test/*.ts in the aesr-config
// repository; the npm package ships no fixtures), and the cases issue 15 names.
//
// Both sides are brought to one shape: per target its name, account, role (with path),
// color, region, image and base profile. AESR's popup applies a base's target_role_name
// and target_region to its targets after parsing (target_profiles.js
// convertComplexTarget); that step is applied to aesr-config's output here too.
// Remaining differences are listed per input, each with its reason; any other
// difference fails the test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { ConfigParser } from 'aesr-config';
import { sandbox, cleanup, binDir } from './harness.mjs';

/** `RGB` / `RRGGBB` → `rrggbb`, as Switchyard stores colors (AESR keeps the text). */
function color(raw) {
  if (!raw) return null;
  const hex = raw.replace(/^#/, '').toLowerCase();
  if (/^[0-9a-f]{6}$/.test(hex)) return hex;
  if (/^[0-9a-f]{3}$/.test(hex)) return [...hex].map((c) => c + c).join('');
  return null;
}

const key = (t) => JSON.stringify([t.name, t.account, t.role, t.color, t.region, t.image, t.base]);
const sorted = (list) => [...list].sort((a, b) => key(a).localeCompare(key(b)));

/** aesr-config's reading, flattened to targets; or `{ refused }` with its message. */
function aesr(text) {
  let set;
  try {
    set = ConfigParser.parseIni(text);
  } catch (e) {
    return { refused: `${e.constructor.name}: ${e.message}` };
  }
  const one = (p, base) => ({
    name: p.name,
    account: p.aws_account_id,
    role: p.role_name ?? base?.target_role_name ?? null,
    color: color(p.color),
    region: p.region ?? base?.target_region ?? null,
    image: p.image ? p.image.replace(/^"|"$/g, '') : null,
    base: base ? base.name : null,
  });
  return {
    targets: [
      ...set.singles.map((p) => one(p, null)),
      ...set.complexes.flatMap((c) => c.targets.map((p) => one(p, c))),
    ],
  };
}

/** Switchyard's reading through the CLI and the daemon: targets, and the import report. */
function switchyard(box, text, n) {
  const file = join(box.dir, `input-${n}.aesr`);
  writeFileSync(file, text);
  const run = (args) => {
    try {
      return { ok: true, out: execFileSync(join(binDir(), 'switchyard'), args, { env: box.env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }) };
    } catch (e) {
      return { ok: false, out: `${e.stdout}${e.stderr}` };
    }
  };
  const imported = run(['roles', 'import', file, '--json']);
  const report = JSON.parse(imported.out.split('\n').find((l) => l.startsWith('{')) ?? '{}');
  const listed = run(['roles', '--json']);
  assert.ok(listed.ok, listed.out);
  const data = JSON.parse(listed.out).data;
  const targets = data.targets.map((t) => ({
    name: t.display_name,
    account: t.account_id,
    role: t.role_arn.split(':role/')[1],
    color: t.color === colorFor(t) ? null : t.color,
    region: t.region ?? null,
    image: t.image ?? null,
    base: t.base?.profile ?? null,
  }));
  for (const t of data.targets) assert.equal(t.decision, 'console', 'no key: left to the console');
  return { targets, report: report.data ?? report.error ?? {}, imported: imported.ok };
}

// Switchyard gives a target without a color one derived from its account; only the
// imported colors are compared. (The derived palette is shared::targets::color_for.)
const PALETTE = ['e6194b', '3cb44b', 'ffe119', '4363d8', 'f58231', '911eb4', '46f0f0', 'f032e6', 'bcf60c', 'fabebe', '008080', '9a6324'];
function colorFor(t) {
  let h = 0xcbf29ce484222325n;
  for (const b of Buffer.from(t.account_id)) h = ((h ^ BigInt(b)) * 0x100000001b3n) & 0xffffffffffffffffn;
  return PALETTE[Number(h % 12n)];
}

const README_SIMPLE = `[profile marketingadmin]
role_arn = arn:aws:iam::123456789012:role/marketingadmin
color = ffaaee

[anotheraccount]
aws_account_id = 987654321987
role_name = anotherrole
color=bbeeff
`;

const README_COMPLEX = `[organization1]
aws_account_id = your-account-alias

[Org1-Account1-Role1]
role_arn = arn:aws:iam::123456789012:role/Role1
source_profile = organization1

[Org1-Account1-Role2]
aws_account_id = 123456789012
role_name = Role2
source_profile = organization1

[Org1-Account2-Role1]
aws_account_id = 210987654321
role_name = Role1
source_profile = organization1

[baseaccount2]
aws_account_id = 000000000000

[Base2-Role1]
role_arn = arn:aws:iam::234567890123:role/Role1
source_profile = baseaccount2

[AnotherRole]
role_name = SomeOtherRole
aws_account_id = account-3-alias
`;

// aesr-config's test/ini-parser.ts, "returns SectionItems" (its loader refuses it: [admin]
// names no account).
const AESR_CONFIG_INI_PARSER = `[organization1]
aws_account_id = your-account-alias

[Org1-Account1-Role1 ]
role_arn = arn:aws:iam::123456789012:role/Role1
source_profile = organization1

[profile marketingadmin]
role_arn = arn:aws:iam::123456789012:role/marketingadmin
color = ffaaee; comment

[ Org1-Account1-Role2]
aws_account_id = 123456789013
role_name = Role2
source_profile = organization1
[baseaccount2]
aws_account_id = 000000000000

[profile Base2/Role1]
role_arn = arn:aws:iam::234567890123:role/Role1
source_profile = baseaccount2

[admin]
[AnotherRole]
role_name = SomeOtherRole#comment
aws_account_id = account-3-alias
`;

// aesr-config's test/config-loader.ts, "loads single and complex profiles", as INI text.
const AESR_CONFIG_LOADER = `[profile target1-1]
aws_account_id = 111122223334
role_name = role1
source_profile = base1

[target1-2]
role_arn = arn:aws:iam::111122223335:role/role2
source_profile = base1

[base1]
aws_account_id = 111100003333

[base2]
aws_account_id = 222200001111

[profile targetex]
aws_account_id = 333300001112
role_name = roleex

[target2-1]
aws_account_id = 222200001112
role_name = role3
source_profile = base2
`;

// aesr-config's test/index.ts.
const AESR_CONFIG_INDEX = `
      [profile foo]
      aws_account_id = 123456789012
      role_name = developer
      region = us-east-1
    `;

// The cases issue 15 names: a comment with no blank before it, the same role under two
// names, a section name as the display name, a chained base, an alias base with a
// permission set, target_role_name, target_region, image, region.
const ISSUE_15 = `[corp]
aws_account_id = 111111111111
aws_account_alias = acme-corp
role_name = AdministratorAccess
target_role_name = OrganizationAccountAccessRole
target_region = eu-west-1

[Acme Prod Admin]
aws_account_id = 222222222222
source_profile = corp
color = ffaaee; pink
image = "https://example.com/prod.png"

[acme-prod-old]
role_arn = arn:aws:iam::222222222222:role/OrganizationAccountAccessRole
source_profile = corp
color = 00ff00#green

[Acme Staging]
aws_account_id = 333333333333
role_name = Deployer
source_profile = corp
region = eu-central-1

[Sandbox]
aws_account_id = 444444444444
role_name = Developer
`;

// The inputs aesr-config refuses whole, from its own tests (each its own error), and
// what Switchyard keeps of them.
const REFUSED = [
  ['duplicated parameter (test/ini-parser.ts)', `[section1]\nrole_arn = arn:aws:iam::111111111111:role/A\n\n[section2]\nrole_arn = arn:aws:iam::222222222222:role/B\nrole_arn = arn:aws:iam::222222222222:role/C\n`, ['section1', 'section2']],
  ['text before any section (test/ini-parser.ts)', `key = value\n\n[section]\nrole_arn = arn:aws:iam::111111111111:role/A\n`, ['section']],
  ['a line without = (test/ini-parser.ts)', `[a]\nparameter definition does not contain equal\n[b]\nrole_arn = arn:aws:iam::111111111111:role/A\n`, ['b']],
  ['a blank value (test/ini-parser.ts)', `[a]\nrole_arn = arn:aws:iam::111111111111:role/A\ncolor =  \n`, ['a']],
  ['role_arn beside aws_account_id (test/config-loader.ts)', `[aaaa]\nrole_arn = arn:aws:iam::123456789012:role/marketingadmin\naws_account_id = 123456789012\nrole_name = marketingadmin\n[ok]\nrole_arn = arn:aws:iam::111111111111:role/A\n`, ['aaaa', 'ok']],
  ['an invalid role_arn (test/config-loader.ts)', `[invalid-role-arn]\nrole_arn = arn:role/any\n[ok]\nrole_arn = arn:aws:iam::111111111111:role/A\n`, ['ok']],
  ['no account id (test/config-loader.ts)', `[unknown-aws-account-id]\nrole_name = some_role\nsource_profile = baseProfile\n[ok]\nrole_arn = arn:aws:iam::111111111111:role/A\n`, ['ok']],
  ['comments and spaces everywhere (test/ini-parser.ts; [profile a] names no account)', `[profile a]# comment\n; comment\nkey = role/roleA  #\n\n  [B] # comment\nrole_arn = arn:aws:iam::123456789012:role/role-b;\n  # comment\n[profileC];comment\n# comment\n  aws_account_id  =  123456789012  ;comment\n  ; comment\n`, ['B']],
  ['the ini-parser fixture, whose [admin] names no account', AESR_CONFIG_INI_PARSER, ['Org1-Account1-Role1', 'marketingadmin', 'Org1-Account1-Role2', 'Base2/Role1']],
];

test('Switchyard reads AESR configurations as aesr-config does, differences explained', () => {
  // No key stored anywhere: no profile settings, no keyring on the bus.
  const box = sandbox({ HOME: '', DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus' });
  box.env.HOME = box.dir;
  try {
    let n = 0;
    const compare = (label, text, explain = (a, s) => [a, s]) => {
      const theirs = aesr(text);
      assert.ok(!theirs.refused, `${label}: aesr-config refused it: ${theirs.refused}`);
      const ours = switchyard(box, text, n++);
      const [a, s] = explain(theirs.targets, ours.targets, ours.report);
      assert.ok(s.length > 0, `${label}: nothing to compare`);
      assert.deepEqual(sorted(s), sorted(a), label);
      return ours;
    };

    compare('README: simple configuration', README_SIMPLE);

    compare('README: complex configuration', README_COMPLEX, (a, s, report) => {
      // [AnotherRole] names its account by alias: AESR sends the alias to the console's
      // switch form, which takes it; Switchyard needs the 12-digit id to form the role
      // ARN it lists, decides and federates with, so it skips the entry and says why.
      assert.ok(report.skipped.some((x) => x.what === 'AnotherRole' && /alias cannot form a role ARN/.test(x.why)), JSON.stringify(report));
      return [a.filter((t) => t.name !== 'AnotherRole'), s];
    });

    compare("aesr-config's loader fixture", AESR_CONFIG_LOADER);
    compare("aesr-config's index fixture", AESR_CONFIG_INDEX);

    compare('issue 15: comments, one role twice, names, bases, image, regions', ISSUE_15, (a, s, report) => {
      // Switchyard keeps the section name as the display name and both entries of the
      // one role, each with its color: as AESR does; nothing to explain.
      assert.deepEqual(report.skipped, []);
      return [a, s];
    });

    // A profile both a target and a base: AESR lists it among its base's targets and
    // as the base of its own targets; so does Switchyard, with a remark.
    const chained = `[root]\naws_account_id = 111111111111\n\n[mid]\naws_account_id = 222222222222\nrole_name = Mid\nsource_profile = root\n\n[leaf]\naws_account_id = 333333333333\nrole_name = Leaf\nsource_profile = mid\n`;
    const ours = compare('a chained base', chained);
    assert.ok(ours.report.remarks.some((r) => r.what === 'mid' && /kept as both/.test(r.why)), JSON.stringify(ours.report));

    // Two sections of one name: aesr-config keeps both (they clash in AESR's popup, which
    // keys profiles by name); Switchyard keeps the later one and says so.
    const twice = `[dup]\nrole_arn = arn:aws:iam::111111111111:role/A\n\n[dup]\nrole_arn = arn:aws:iam::222222222222:role/B\n`;
    compare('a section defined twice', twice, (a, s, report) => {
      assert.ok(report.skipped.some((x) => x.what === 'dup' && /defined again/.test(x.why)), JSON.stringify(report));
      return [a.filter((t) => t.account !== '111111111111'), s];
    });

    // Where aesr-config refuses the whole text, Switchyard keeps the good entries (it is
    // deliberately more lenient) and its report says what AESR would do.
    for (const [label, text, kept] of REFUSED) {
      const theirs = aesr(text);
      assert.ok(theirs.refused, `${label}: aesr-config accepted it`);
      const mine = switchyard(box, text, n++);
      assert.deepEqual(mine.targets.map((t) => t.name).sort(), [...kept].sort(), `${label} (aesr-config: ${theirs.refused})`);
      const said = JSON.stringify([...(mine.report.skipped ?? []), ...(mine.report.remarks ?? [])]);
      assert.ok(/refuses the whole configuration|not a role ARN|neither role_arn|without aws_account_id|no key|not `key = value`/.test(said), `${label}: ${said}`);
    }
  } finally {
    cleanup(box);
  }
});
