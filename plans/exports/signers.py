"""Who signs a progress sheet: the names its footer carries (单位负责人, 审核人, 填报人, 联系电话),
taken from the accounts' profiles. A unit's sheet names its leader and the official who fills
it in (the person downloading it, when that is one of the unit's leaders or officials, else the
unit's first named account of that role); the plan's sheet names the office person who made it.
Nobody known leaves the blank to write in by hand. One query, whatever the sheet."""
from __future__ import annotations

from plans.exports import layout
from plans.models import MemberRole, Membership, Profile, Unit


def sheet_footer(user, unit: Unit | None) -> str:
    if unit is None:
        profile = Profile.objects.filter(user_id=getattr(user, "pk", None)).first()
        return layout.footer(filler=profile.name if profile else "", phone=profile.phone if profile else "")
    members = list(
        Membership.objects.filter(unit=unit, role__in=[MemberRole.LEADER, MemberRole.OFFICIAL])
        .exclude(user__profile__name="").filter(user__profile__isnull=False)
        .select_related("user__profile").order_by("user_id")
    )

    def signer(role: str) -> Profile | None:
        of_role = [member.user.profile for member in members if member.role == role]
        own = [profile for profile in of_role if profile.user_id == getattr(user, "pk", None)]
        return (own or of_role or [None])[0]

    leader, filler = signer(MemberRole.LEADER), signer(MemberRole.OFFICIAL)
    phone = (filler.phone if filler else "") or (leader.phone if leader else "")
    return layout.footer(leader=leader.name if leader else "", filler=filler.name if filler else "", phone=phone)
