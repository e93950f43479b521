"""Moving a merged municipality's data into its successor (`manage.py merge_organisation`).

Every row that belongs to the merged organisation through a foreign key to Organisation moves to the
successor in one transaction (goals, values, targets and everything else hang on those rows and move
with them). Which models those are is found from the model graph, so a model added later moves too.
The history tables of django-pghistory are left as they are: they tell what was true when.

Where a moved row would clash with one of the successor's, the app that owns the model registers a
conflict rule (from its AppConfig.ready(), the way goals/registry.py works), so this lower app imports
no upper one. The rules (each also in the README, "Operations"):

- memberships (here): a person who is a member of both keeps one membership in the successor, with the
  higher of the two roles;
- invitations (here): an address with an unanswered invitation from both keeps the successor's, with the
  higher of the two roles; the merged organisation's is cancelled (and moves as such);
- indicators (indicators/merging.py): the merged organisation's indicator that duplicates one of the
  successor's (the same library template, the same source code, or the same Finnish name) measured the
  old area, so it stays a separate series: it moves renamed "<name> (<merged organisation>)", as the
  successor's own manual indicator (template link and source code cleared, so the library and the
  importers keep writing only the successor's series), with a note of what it was;
- strategies (goals/merging.py): a strategy whose council term overlaps one of the successor's moves
  renamed "<name> (<merged organisation>)" and as a draft, so the successor's own stays the current one;
- activity settings (impact/merging.py): the successor keeps its own follow-up rule when it has one.

Finally the merged organisation is marked with its successor; it stays (with no members) so links to it
and its history keep resolving.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pghistory
import pghistory.models
from django.apps import apps
from django.db import IntegrityError, models, transaction

from organisations.models import Organisation

# A rule gets the merged organisation's rows of one model, the successor and the report; it changes or
# deletes the rows that would clash, and returns. The remaining rows are then moved as they are.
MergeRule = Callable[[models.QuerySet[Any], Organisation, Organisation, "MergeReport"], None]
_rules: dict[str, MergeRule] = {}


def register_merge_rule(model_label: str, rule: MergeRule) -> None:
    """Let an app resolve clashes of its model (e.g. "indicators.Indicator") before the rows move."""
    _rules[model_label] = rule


@dataclass
class MergeReport:
    """What a merge did (or, in a dry run, would do)."""

    merged: str
    into: str
    moved: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def note(self, text: str) -> None:
        self.notes.append(text)

    def lines(self) -> list[str]:
        out = [f"{self.merged} → {self.into}"]
        out += [f"  {label}: {count} moved" for label, count in sorted(self.moved.items()) if count]
        if not any(self.moved.values()):
            out.append("  no rows to move")
        out += [f"  - {note}" for note in self.notes]
        return out


class MergeRefused(Exception):
    """The merge cannot be done as asked; the message says why."""


def _is_history(model: type[models.Model]) -> bool:
    return issubclass(model, pghistory.models.Event) or model._meta.app_label == "pghistory"


def tenant_relations() -> list[tuple[type[models.Model], models.ForeignKey[Any, Any]]]:
    """Every (model, foreign key) that makes a row belong to an organisation, history tables aside."""
    found = []
    for model in apps.get_models():
        if _is_history(model) or model._meta.proxy or not model._meta.managed:
            continue
        for field_ in model._meta.concrete_fields:
            if (
                isinstance(field_, models.ForeignKey)
                and field_.related_model is Organisation
                and not (model is Organisation and field_.name == "successor")
            ):
                found.append((model, field_))
    return sorted(found, key=lambda pair: (pair[0]._meta.label, pair[1].name))


def merge_organisation(*, merged: Organisation, into: Organisation, dry_run: bool = False) -> MergeReport:
    """Move every row of `merged` into `into` and mark `merged` with its successor, all or nothing."""
    if merged.pk == into.pk:
        raise MergeRefused("An organisation cannot merge into itself.")
    if merged.kind != into.kind:
        raise MergeRefused(
            f"A {merged.get_kind_display()} can merge only into another one, "
            f"not into a {into.get_kind_display()}."
        )
    if merged.is_association or into.is_association:
        raise MergeRefused("The association does not merge.")
    if merged.successor_id not in (None, into.pk):
        raise MergeRefused(f"{merged.name_fi} is already marked as merged into another organisation.")
    if into.successor_id is not None:
        raise MergeRefused(
            f"{into.name_fi} has itself merged into another organisation: merge into that one."
        )
    report = MergeReport(merged=f"{merged.name_fi} ({merged.slug})", into=f"{into.name_fi} ({into.slug})")
    with (
        transaction.atomic(),
        pghistory.context(command="merge_organisation", merged=merged.pk, into=into.pk),
    ):
        for model, fk in tenant_relations():
            rows = model._base_manager.filter(**{fk.name: merged})
            rule = _rules.get(model._meta.label)
            if rule is not None:
                rule(rows, merged, into, report)
            try:
                with transaction.atomic():
                    report.moved[model._meta.label] = rows.update(**{fk.name: into})
            except IntegrityError as error:
                raise MergeRefused(
                    f"{model._meta.label}: rows of {merged.name_fi} clash with {into.name_fi}'s ({error}). "
                    "Nothing was changed. The model needs a merge rule (organisations/merge.py)."
                ) from error
        # Organisations that had merged into the merged one now point to the successor.
        report.moved["organisations.Organisation (predecessors)"] = Organisation.objects.filter(
            successor=merged
        ).update(successor=into)
        Organisation.objects.filter(pk=merged.pk).update(successor=into)
        if dry_run:
            transaction.set_rollback(True)
    return report


def suffixed(text: str, suffix: str, max_length: int) -> str:
    """`text (suffix)` cut to fit a field."""
    tail = f" ({suffix})"
    return text[: max_length - len(tail)] + tail


def _merge_memberships(
    rows: models.QuerySet[Any], merged: Organisation, into: Organisation, report: MergeReport
) -> None:
    from organisations.models import Membership, Role

    existing = {m.user_id: m for m in Membership.objects.filter(organisation=into)}
    for membership in rows.filter(user_id__in=existing.keys()).select_related("user"):
        kept = existing[membership.user_id]
        if Role(membership.role).rank > Role(kept.role).rank:
            Membership.objects.filter(pk=kept.pk).update(
                role=membership.role, version=models.F("version") + 1
            )
            report.note(
                f"{membership.user.username}: member of both, keeps the higher role {membership.role}"
            )
        else:
            report.note(f"{membership.user.username}: member of both, keeps the role {kept.role}")
        membership.delete()


register_merge_rule("organisations.Membership", _merge_memberships)


def _merge_invitations(
    rows: models.QuerySet[Any], merged: Organisation, into: Organisation, report: MergeReport
) -> None:
    from organisations.models import Invitation, Role

    kept = {i.email.lower(): i for i in Invitation.objects.pending().filter(organisation=into)}
    for invitation in rows.filter(status=Invitation.Status.PENDING):
        other = kept.get(invitation.email.lower())
        if other is None:
            continue
        if Role(invitation.role).rank > Role(other.role).rank:
            Invitation.objects.filter(pk=other.pk).update(role=invitation.role)
        Invitation.objects.filter(pk=invitation.pk).update(status=Invitation.Status.CANCELLED)
        report.note(f"invitation of {invitation.email}: invited by both, the successor's is kept")


register_merge_rule("organisations.Invitation", _merge_invitations)
