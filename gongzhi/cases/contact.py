"""A case's contact phone, revealed to those who must call the reporter back.

The phone is stored like a person's (Fernet ciphertext and a masked form, cases.services
seals it at intake); every page, list, export and API answer shows the masked form. Who may
reveal it follows access.can_reveal's spirit: REVEAL_PII over the case's place (with
VIEW_CASES there: the local staff who answer for the area), or the holder or deputy (AB岗)
of the post the case is dispatched to, since they are the ones who call back and a
department or property post has no REVEAL_PII. Each reveal writes its access-log row first,
through the same function as a person's (core.accesslog), naming the case by its number.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.cases.models import Case
from gongzhi.core import accesslog, pii
from gongzhi.core.actors import Actor
from gongzhi.core.errors import PermissionDeniedError, invalid
from gongzhi.orgs import access

SUBJECT = "cases.case"  # PiiAccessLog.subject_model of a contact reveal
FIELD = "contact_phone"


def can_reveal_contact(user: Actor, case: Case) -> bool:
    """May `user` see this case's contact phone in clear? (The caller has already found the
    case through the scoped selector: out of scope is a 404 before this is asked.)"""
    if user is None or not user.is_authenticated:
        return False
    if access.can_under(user, access.REVEAL_PII, case.node_path) and access.can_under(
        user, access.VIEW_CASES, case.node_path
    ):
        return True
    person_id = access.scope(user).person_id
    post = case.post
    return bool(person_id and post is not None and person_id in (post.person_id, post.deputy_id))


@transaction.atomic
def case_contact_reveal(*, actor: Actor, case: Case, purpose: str) -> str:
    """The contact phone in clear, after writing who asked, for which case and why."""
    purpose = accesslog.required_purpose(purpose)
    if not can_reveal_contact(actor, case):
        raise PermissionDeniedError(_("无权查看此工单的联系电话"))
    if not case.contact_phone_enc:
        raise invalid("contact_phone", _("此工单没有留联系电话"))
    label = f"工单 {case.number} 联系人 {case.contact_name}".strip()  # the log's language
    accesslog.record(
        actor=actor,
        subject_model=SUBJECT,
        subject_id=case.pk,
        subject_label=label,
        field=FIELD,
        purpose=purpose,
    )
    return pii.decrypt(case.contact_phone_enc)
