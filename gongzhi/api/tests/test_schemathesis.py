"""schemathesis over the whole OpenAPI document, against a live server with a seeded street and a
street administrator's token: every operation gets a bounded number of generated requests, valid
(positive) and invalid (negative). None may answer 5xx, every answer's status must be documented
on its operation, and every documented body must match its schema.

The run is derandomised (the same requests every time) and bounded: SCHEMATHESIS_EXAMPLES per
operation and mode (default 3: with some 175 operations that is about 1,050 requests, and each
example costs about as much to generate as to serve, so `make test` keeps every operation
fuzzed both ways without paying for depth; a deeper run is
`SCHEMATHESIS_EXAMPLES=25 pytest gongzhi/api/tests/test_schemathesis.py`). Its counts are printed
(pytest -s) and written to var/schemathesis.json for the record.
"""

import json
import os
from collections import Counter
from typing import Any

import schemathesis
from django.conf import settings
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "3"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)


def test_the_whole_openapi_holds_under_generated_requests(live_server: Any, world: Any) -> None:
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/openapi.json")
    headers = {"Authorization": f"Bearer {world.keys['admin']}"}
    requests: Counter[str] = Counter()
    statuses: Counter[int] = Counter()
    failures: dict[str, str] = {}
    operations = [result.ok() for result in schema.get_all_operations()]
    # Revoking a token may hit the run's own: that operation goes last.
    operations.sort(key=lambda op: op.method.lower() == "delete" and op.path.startswith("/api/v1/tokens"))
    for operation in operations:
        for mode in MODES:

            @hypothesis_settings(
                max_examples=EXAMPLES,
                deadline=None,
                derandomize=True,
                database=None,
                phases=[Phase.explicit, Phase.generate],  # no shrinking: the run stays bounded
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy(generation_mode=mode))
            def run(case: Any) -> None:
                response = case.call(base_url=live_server.url, headers=headers)
                requests[case.operation.label] += 1
                statuses[response.status_code] += 1
                case.validate_response(response, checks=CHECKS, headers=headers)

            try:
                run()
            except (Exception, BaseExceptionGroup) as exc:  # one operation's failure must not hide others'
                failures[f"{operation.label} [{mode.value}]"] = str(exc)[:3000]
    record = {
        "operations": len(operations),
        "requests": sum(requests.values()),
        "examples_per_operation_and_mode": EXAMPLES,
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "server_errors": sum(v for k, v in statuses.items() if k >= 500),
        "failures": failures,
        "requests_per_operation": dict(sorted(requests.items())),
    }
    (settings.VAR_DIR / "schemathesis.json").write_text(json.dumps(record, ensure_ascii=False, indent=1))
    print(
        f"\nschemathesis: {record['operations']} operations, {record['requests']} requests, "
        f"statuses {record['statuses']}, {len(failures)} failing operation(s)"
    )
    assert len(operations) > 20
    assert record["server_errors"] == 0, failures
    assert failures == {}, "\n\n".join(f"{k}: {v}" for k, v in failures.items())
