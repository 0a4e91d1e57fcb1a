"""The city's own deployment for ``test_two_instances``: run inside the city's process, on its
own freshly migrated database (``manage.py shell -c``), with the commands and services an
operator's pages call — the shipped division list, the city bureau's account, this year's
period, the county registered as a lower system with the key it handed over.
"""

from __future__ import annotations

import datetime
import io
import json

from django.core.management import call_command

from ...accounts.models import ApiToken, User
from ...accounts.otp import provision_device
from ...accounts.roles import Role
from ...accounts.tokens import create_token
from ...registry.models import Region
from ...reporting import services as reporting
from ...reporting.models import ReportForm, Submission
from .. import services
from ..models import Direction

CITY, COUNTY = "370400", "370481"
YEAR = 2026
PASSWORD = "City@2026pass"


def set_up(algorithm: str, public_key: str) -> None:
    """Prints, as one JSON line, what the county's test needs: the city's public key (handed
    to the county), the bureau's API token and authenticator key, the county's submission."""
    call_command("load_regions", province="37", stdout=io.StringIO())
    city, county = Region.objects.get(code=CITY), Region.objects.get(code=COUNTY)
    bureau = User.objects.create_user(
        "city_bureau", PASSWORD, name="市机关事务局", roles=[Role.BUREAU_ADMIN], scope_region=city
    )
    device = provision_device(user=bureau)
    period = reporting.do_open_period(
        form=ReportForm.objects.get(region__isnull=True),
        region=city,
        year=YEAR,
        as_of=datetime.date(YEAR, 6, 30),
        deadline=datetime.date(YEAR, 12, 31),
        actor=bureau,
    )
    peer = services.register_peer(
        name="滕州市公房管理系统", direction=Direction.LOWER, region=county, actor=bureau
    )
    services.register_key(peer=peer, public_key=public_key, algorithm=algorithm, actor=bureau)
    _, token = create_token(user=bureau, name="接收下级报送", scope=ApiToken.Scope.READ_WRITE)
    submission = Submission.objects.get(period=period, unit_key=f"region:{county.pk}")
    found = {
        "identity": services.own_identity(),
        "token": token,
        "totp_key": device.key,
        "submission": submission.pk,
    }
    print(json.dumps(found))
