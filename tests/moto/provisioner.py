"""Make the seeded organization ready for the create-account page (tests/e2e
provision.test.mjs and the demo tour). Run with the moto venv's python after seed.py.

    provisioner.py --endpoint http://127.0.0.1:PORT

Gives alice an inline policy allowing Organizations and IAM (an administrator of the
management account: organizations:CreateAccount is allowed; no sts:AssumeRole, so the
popup's switch list stays as it was), and creates bob, who may read the
organization and IAM but not create accounts, with an access key. Prints one JSON
object: bob's access_key_id and secret_access_key.
"""

import argparse
import json

import boto3

ADMIN = {
    "Version": "2012-10-17",
    "Statement": [{"Sid": "Provisioning", "Effect": "Allow", "Action": ["organizations:*", "iam:*"], "Resource": "*"}],
}
READER = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "ReadOnly",
            "Effect": "Allow",
            "Action": ["organizations:Describe*", "organizations:List*", "iam:Get*", "iam:List*"],
            "Resource": "*",
        }
    ],
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint", required=True)
    args = parser.parse_args()
    session = boto3.session.Session(
        aws_access_key_id="AKIAIOSFODNN7EXAMPLE",
        aws_secret_access_key="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        region_name="us-east-1",
    )
    iam = session.client("iam", endpoint_url=args.endpoint)
    iam.put_user_policy(UserName="alice", PolicyName="OrganizationAdmin", PolicyDocument=json.dumps(ADMIN))
    iam.create_user(UserName="bob")
    iam.put_user_policy(UserName="bob", PolicyName="OrganizationReader", PolicyDocument=json.dumps(READER))
    key = iam.create_access_key(UserName="bob")["AccessKey"]
    print(json.dumps({"access_key_id": key["AccessKeyId"], "secret_access_key": key["SecretAccessKey"]}))


if __name__ == "__main__":
    main()
