"""moto's AWS server with the few AWS behaviours the baseline's organization examples need
and moto lacks, each named. Run with the Python that has moto[server] installed; takes
moto_server's arguments (e.g. `-H 127.0.0.1 -p 5000`).

Additions (each stands in for documented AWS behaviour, nothing else changes):
- Organizations RegisterDelegatedAdministrator accepts `config.amazonaws.com`: AWS Config
  supports a delegated administrator for organization rules and aggregators (AWS
  Organizations user guide, "AWS services that you can use with AWS Organizations"); moto
  5.2.1 answers "unrecognized service principal".
- Security Hub UpdateOrganizationConfiguration accepts an OrganizationConfiguration without
  `Status`: AWS sets the status itself (PENDING, then ENABLED or FAILED) and the caller
  sends only the ConfigurationType; moto 5.2.1 rejects the request without it.
- With IAM enforcement on (INITIAL_NO_AUTH_ACTION_COUNT, used by the tests), requests are
  authorized against the caller's IAM policies as AWS does, with two corrections: SigV4
  signatures are not verified (moto 5.2.1 computes a different signature than AWS and the
  SDK for REST requests such as GuardDuty's and S3's HEAD, and would refuse correctly signed
  calls), and the operations AWS authorizes under another action's name are checked under
  that name (`RENAMED`: HeadBucket is s3:ListBucket, S3 Control's account public access
  block calls are s3:Get/PutAccountPublicAccessBlock). moto checks actions, not resources:
  it authorizes every request but S3's against the resource `*`.
"""

import sys

from moto.organizations.models import FakeDelegatedAdministrator

for principal in ["config.amazonaws.com"]:
    if principal not in FakeDelegatedAdministrator.SUPPORTED_SERVICES:
        FakeDelegatedAdministrator.SUPPORTED_SERVICES.append(principal)

from moto.securityhub.models import SecurityHubBackend  # noqa: E402

_update_organization_configuration = SecurityHubBackend.update_organization_configuration


def _update_with_status(self, auto_enable, auto_enable_standards=None, organization_configuration=None):
    if organization_configuration and "Status" not in organization_configuration:
        organization_configuration = dict(organization_configuration, Status="ENABLED")
    return _update_organization_configuration(
        self, auto_enable, auto_enable_standards, organization_configuration
    )


SecurityHubBackend.update_organization_configuration = _update_with_status

from moto.iam.access_control import IAMRequestBase  # noqa: E402

RENAMED = {
    "s3:HeadBucket": "s3:ListBucket",
    "s3:GetPublicAccessBlock": "s3:GetAccountPublicAccessBlock",
    "s3:PutPublicAccessBlock": "s3:PutAccountPublicAccessBlock",
}

_check_action_permitted = IAMRequestBase.check_action_permitted


def _check_as_aws_names_it(self, resource):
    self._action = RENAMED.get(self._action, self._action)
    return _check_action_permitted(self, resource)


IAMRequestBase.check_signature = lambda self: None
IAMRequestBase.check_action_permitted = _check_as_aws_names_it

from moto.server import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
