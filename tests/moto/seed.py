"""Seed a moto server with a sample AWS Organization for the demo, the browser tests and
the benchmarks. Run with the moto venv's python (it has boto3).

    seed.py --endpoint http://127.0.0.1:PORT [--members N] [--mfa] [--groups G]

Creates an organization (moto's default account 123456789012 is its management account)
with N member accounts (every third tagged team=blue), the account alias "acme-main", and
an IAM user "alice" with an access key (and, with --mfa, an enabled virtual MFA device).
With --groups G, alice is in G groups with three inline policies each; the first allows
sts:AssumeRole on one member account's OrganizationAccountAccessRole.
Prints one JSON object: access_key_id, secret_access_key, account_id, mfa_serial.
"""

import argparse
import json

import boto3


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--members", type=int, default=24)
    parser.add_argument("--mfa", action="store_true")
    parser.add_argument("--groups", type=int, default=0)
    args = parser.parse_args()

    session = boto3.session.Session(
        aws_access_key_id="AKIAIOSFODNN7EXAMPLE",
        aws_secret_access_key="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        region_name="us-east-1",
    )
    org = session.client("organizations", endpoint_url=args.endpoint)
    iam = session.client("iam", endpoint_url=args.endpoint)

    org.create_organization(FeatureSet="ALL")
    member_ids = []
    names = ["Acme Production", "Acme Staging", "Acme Sandbox", "Globex", "Initech", "Umbrella"]
    for i in range(args.members):
        base = names[i % len(names)]
        name = base if i < len(names) else f"{base} {i // len(names) + 1}"
        slug = name.lower().replace(" ", "-")
        tags = [{"Key": "team", "Value": "blue"}] if i % 3 == 0 else []
        status = org.create_account(AccountName=name, Email=f"ops+{slug}@example.com", Tags=tags)
        member_ids.append(status["CreateAccountStatus"]["AccountId"])
    iam.create_account_alias(AccountAlias="acme-main")

    iam.create_user(UserName="alice")
    key = iam.create_access_key(UserName="alice")["AccessKey"]
    for g in range(args.groups):
        group = f"Team{g:02d}"
        iam.create_group(GroupName=group)
        iam.add_user_to_group(GroupName=group, UserName="alice")
        account = member_ids[g % len(member_ids)] if member_ids else "123456789012"
        documents = [
            ("sts:AssumeRole", f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole"),
            ("s3:GetObject", f"arn:aws:s3:::team-{g:02d}/*"),
            ("ec2:Describe*", "*"),
        ]
        for p, (action, resource) in enumerate(documents):
            document = {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": action, "Resource": resource}],
            }
            iam.put_group_policy(
                GroupName=group, PolicyName=f"{group}-p{p}", PolicyDocument=json.dumps(document)
            )
    serial = None
    if args.mfa:
        device = iam.create_virtual_mfa_device(VirtualMFADeviceName="alice-phone")
        serial = device["VirtualMFADevice"]["SerialNumber"]
        iam.enable_mfa_device(
            UserName="alice",
            SerialNumber=serial,
            AuthenticationCode1="123456",
            AuthenticationCode2="654321",
        )
    print(
        json.dumps(
            {
                "access_key_id": key["AccessKeyId"],
                "secret_access_key": key["SecretAccessKey"],
                "account_id": "123456789012",
                "mfa_serial": serial,
            }
        )
    )


if __name__ == "__main__":
    main()
