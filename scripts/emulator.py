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

from moto.server import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
