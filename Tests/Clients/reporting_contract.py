"""The public API (reporting) against its OpenAPI document: the document is valid OpenAPI 3.1
(openapi-spec-validator), and schemathesis, generating requests from it with an admin key, finds no 5xx and
no answer that breaks the document (status codes, content types, schemas). Run by scripts/test-clients
against a live reporting service, with identity and segmentation behind it.

Environment: KINSHIP_REPORTING_URL, KINSHIP_API_KEY (an admin key of a workspace).
"""
import json
import os
import subprocess
import sys
import urllib.request

from openapi_spec_validator import validate

MAX_EXAMPLES = 25  # per operation: bounded so the run takes a minute or two on two cores


def main() -> int:
    url = os.environ["KINSHIP_REPORTING_URL"]
    key = os.environ["KINSHIP_API_KEY"]
    with urllib.request.urlopen(url + "/openapi.json", timeout=10) as response:
        document = json.load(response)
    validate(document)
    operations = sum(len(methods) for methods in document["paths"].values())
    print(f"openapi-spec-validator: a valid OpenAPI {document['openapi']} document of {operations} operations")

    schemathesis = os.path.join(os.path.dirname(sys.executable), "schemathesis")
    command = [
        schemathesis, "run", url + "/openapi.json", "--url", url,
        "--header", f"Authorization: Bearer {key}",
        "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
        "--max-examples", str(MAX_EXAMPLES), "--seed", "2026", "--workers", "1", "--no-color",
    ]
    print("schemathesis run", url + "/openapi.json", f"(at most {MAX_EXAMPLES} examples per operation)", flush=True)
    return subprocess.run(command, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
