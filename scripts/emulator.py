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
- Service-managed stack sets know their organizational units: ListStackInstances reports
  each instance's OrganizationalUnitId (the unit it was deployed through), and
  DeleteStackInstances with DeploymentTargets.OrganizationalUnitIds deletes the instances
  of those units, as AWS does; moto 5.2.1 reports no unit and deletes by account only.
- An API moto lacks answers 501 Not Implemented, AWS's signal for an operation an endpoint
  does not offer, instead of moto's HTML error page with 500 (unimplemented action) or 404
  (unknown route), which the SDK retries and the tool must read as a failure: a 500 or 404
  without an error code is "could not read", never "not offered".
- Macie's GetMacieSession time stamps carry their zone (`...Z`), as AWS's RFC 3339 ones do;
  moto 5.2.1 writes them without one, which the SDK cannot read.
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

from moto.cloudformation import models as cloudformation  # noqa: E402
from moto.cloudformation.responses import CloudFormationResponse  # noqa: E402
from moto.core.responses import ActionResult  # noqa: E402

_create_instances = cloudformation.StackInstances.create_instances


def _create_instances_by_unit(self, accounts, regions, parameters, deployment_targets, permission_model):
    before = len(self.stack_instances)
    created = _create_instances(self, accounts, regions, parameters, deployment_targets, permission_model)
    units = (deployment_targets or {}).get("OrganizationalUnitIds", [])
    parents = {ou.id: ou.parent_id for ou in self.org_backend.ou}
    of_account = {a.id: a.parent_id for a in self.org_backend.accounts}
    for instance in self.stack_instances[before:]:
        parent = of_account.get(instance.account_id)
        while parent is not None and parent not in units:
            parent = parents.get(parent)
        if parent is not None:
            instance.organizational_unit_id = parent
    return created


_to_dict = cloudformation.StackInstance.to_dict


def _to_dict_with_unit(self):
    out = _to_dict(self)
    unit = getattr(self, "organizational_unit_id", None)
    if unit:
        out["OrganizationalUnitId"] = unit
    return out


_delete_stack_instances = CloudFormationResponse.delete_stack_instances


def _delete_stack_instances_by_unit(self):
    targets = self._get_params().get("DeploymentTargets") or {}
    units = targets.get("OrganizationalUnitIds", [])
    if not units:
        return _delete_stack_instances(self)
    name = self._get_param("StackSetName")
    regions = self._get_param("Regions", [])
    stackset = self.cloudformation_backend.describe_stack_set(name)
    accounts = sorted(
        {
            i.account_id
            for i in stackset.instances.stack_instances
            if getattr(i, "organizational_unit_id", None) in units
        }
    )
    operation = self.cloudformation_backend.delete_stack_instances(name, accounts, regions)
    return ActionResult({"OperationId": operation.operations[-1]["OperationId"]})


cloudformation.StackInstances.create_instances = _create_instances_by_unit
cloudformation.StackInstance.to_dict = _to_dict_with_unit
CloudFormationResponse.delete_stack_instances = _delete_stack_instances_by_unit

from moto.macie2.models import MacieBackend  # noqa: E402

_get_macie_session = MacieBackend.get_macie_session


def _get_macie_session_with_zone(self):
    session = _get_macie_session(self)
    for key in ("createdAt", "updatedAt"):
        stamp = session.get(key)
        if isinstance(stamp, str) and not stamp.endswith("Z") and "+" not in stamp:
            session[key] = stamp + "Z"
    return session


MacieBackend.get_macie_session = _get_macie_session_with_zone

import moto.server  # noqa: E402


class _NotImplementedAs501(moto.server.DomainDispatcherApplication):
    """moto's application, with its HTML error pages for what it lacks turned into 501."""

    def __call__(self, environ, start_response):
        captured = {}

        def capture(status, headers, exc_info=None):
            captured["status"], captured["headers"] = status, headers
            return lambda data: None

        try:
            self.get_application(environ)
        except Exception:  # noqa: BLE001 - moto has no backend for this service at all
            start_response("501 Not Implemented", [("Content-Length", "0")])
            return [b""]
        try:
            body = b"".join(super().__call__(environ, capture))
        except NotImplementedError:
            # moto's answer for an action of a service it knows but has not implemented.
            start_response("501 Not Implemented", [("Content-Length", "0")])
            return [b""]
        status = captured.get("status", "500 INTERNAL SERVER ERROR")
        if status[:3] in ("404", "500") and body.lstrip().lower().startswith(b"<!doctype html"):
            start_response("501 Not Implemented", [("Content-Length", "0")])
            return [b""]
        start_response(status, captured.get("headers", []))
        return [body]


moto.server.DomainDispatcherApplication = _NotImplementedAs501

from moto.server import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
