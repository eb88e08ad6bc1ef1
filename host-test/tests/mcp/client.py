"""Drives `dockerhub-org mcp` with the official MCP Python SDK, the way an agent's client would.

Usage: client.py SCENARIO TRANSCRIPT_PATH COMMAND [ARGS...]

Spawns COMMAND ARGS as an MCP server over stdio, runs SCENARIO ("simulator", "missing-token" or
"concurrent"),
prints one JSON report on standard output (host-test/tests/mcp.rs asserts on it), and writes every
JSON-RPC message both ways to TRANSCRIPT_PATH as JSON lines ({"dir": "->" or "<-", "message": ...}).
Schemas are checked here with `jsonschema` (the validator the SDK itself uses).

The server gets the SDK's safe environment (no DOCKERHUB_OAT from the caller's shell), plus
DOCKERHUB_OAT = $MCP_TEST_SERVER_OAT when that is set.
"""

import json
import os
import sys

import anyio
from jsonschema.validators import validator_for
from mcp import ClientSession, MCPError, StdioServerParameters
from mcp.client.stdio import get_default_environment, stdio_client


def schema_problem(schema):
    """None when `schema` is a valid JSON Schema (of the draft it declares), else the reason."""
    try:
        validator_for(schema).check_schema(schema)
    except Exception as error:  # SchemaError, or an unknown $schema
        return str(error)
    return None


def validation_problem(schema, value):
    """None when `value` validates against `schema`, else the first error."""
    validator = validator_for(schema)(schema)
    errors = sorted(validator.iter_errors(value), key=lambda e: list(e.path))
    return None if not errors else f"{list(errors[0].path)}: {errors[0].message}"


def dump(item):
    if isinstance(item, Exception):
        return {"unparsed": str(item)}
    return item.message.model_dump(by_alias=True, exclude_unset=True, mode="json")


class Recorder:
    """Sits between the SDK's session and its stdio transport and records every message."""

    def __init__(self):
        self.lines = []

    async def pump(self, source, sink, direction):
        async with sink:
            async for item in source:
                self.lines.append({"dir": direction, "message": dump(item)})
                await sink.send(item)


def call_report(result, tools):
    """What a tools/call answer held, and whether its structured content fits the output schema."""
    texts = [c.text for c in result.content if getattr(c, "type", None) == "text"]
    report = {
        "is_error": bool(result.is_error),
        "structured": result.structured_content,
        "texts": texts,
        "first_text_is_the_structured_json": bool(texts)
        and result.structured_content is not None
        and json.loads(texts[0]) == result.structured_content
        if not result.is_error
        else None,
        "output_schema_declared": False,
        "output_schema_problem": None,
    }
    return report


async def run(scenario, command, args):
    env = get_default_environment()
    if os.environ.get("MCP_TEST_SERVER_OAT"):
        env["DOCKERHUB_OAT"] = os.environ["MCP_TEST_SERVER_OAT"]
    params = StdioServerParameters(command=command, args=args, env=env)
    recorder = Recorder()
    report = {"scenario": scenario}
    async with stdio_client(params) as (read, write):
        to_session_send, to_session = anyio.create_memory_object_stream(0)
        to_server, to_server_receive = anyio.create_memory_object_stream(0)
        async with anyio.create_task_group() as pumps:
            pumps.start_soon(recorder.pump, read, to_session_send, "<-")
            pumps.start_soon(recorder.pump, to_server_receive, write, "->")
            async with ClientSession(to_session, to_server) as session:
                init = await session.initialize()
                report["protocol_version"] = init.protocol_version
                report["server_info"] = init.server_info.model_dump(mode="json", exclude_none=True)
                report["instructions"] = init.instructions
                report["tools_capability"] = init.capabilities.tools is not None
                if scenario == "simulator":
                    await simulator_scenario(session, report)
                elif scenario == "concurrent":
                    await concurrent_scenario(session, report)
                elif scenario == "lean":
                    await lean_scenario(session, report)
                else:
                    await missing_token_scenario(session, report)
            pumps.cancel_scope.cancel()
    return report, recorder.lines


async def call(session, tools, name, arguments):
    result = await session.call_tool(name, arguments)
    report = call_report(result, tools)
    schema = tools[name].output_schema
    if schema is not None:
        report["output_schema_declared"] = True
        if not result.is_error:
            report["output_schema_problem"] = validation_problem(schema, result.structured_content)
    return report


async def simulator_scenario(session, report):
    listing = await session.list_tools()
    tools = {tool.name: tool for tool in listing.tools}
    report["tools"] = [
        {
            "name": tool.name,
            "title": tool.title,
            "description": tool.description,
            "annotations": tool.annotations.model_dump(by_alias=True, exclude_none=True) if tool.annotations else None,
            "input_schema_type": tool.input_schema.get("type"),
            "input_schema_problem": schema_problem(tool.input_schema),
            "output_schema_problem": schema_problem(tool.output_schema) if tool.output_schema is not None else None,
            "has_output_schema": tool.output_schema is not None,
        }
        for tool in listing.tools
    ]
    report["list_members"] = await call(session, tools, "list-members", {"page_size": 3})
    # A destructive tool called without dry_run: the server must make it a preview.
    report["offboard_preview"] = await call(session, tools, "offboard-member", {"email": "ken.lovelace@example.com"})
    # ... and the person is still there afterwards.
    report["member_after_preview"] = await call(session, tools, "get-member", {"username": "kenlovelace"})
    # Every write previews unless dry_run is false: a null dry_run (what language-model clients send
    # for optional fields), and writes that are not destructive, called without dry_run.
    report["remove_null"] = await call(
        session, tools, "remove-member", {"username": "kenlovelace", "dry_run": None}
    )
    report["role_absent"] = await call(
        session, tools, "update-member-role", {"username": "kenlovelace", "role": "owner"}
    )
    report["invite_absent"] = await call(
        session, tools, "invite-members", {"invitees": ["new.person@example.com"]}
    )
    report["member_after_previews"] = await call(session, tools, "get-member", {"username": "kenlovelace"})
    report["invites_after_previews"] = await call(session, tools, "list-invites", {})
    # ... and dry_run: false carries the change out.
    report["role_applied"] = await call(
        session, tools, "update-member-role", {"username": "kenlovelace", "role": "member", "dry_run": False}
    )
    report["member_after_apply"] = await call(session, tools, "get-member", {"username": "kenlovelace"})
    report["not_found"] = await call(session, tools, "get-team", {"team": "no-such-team"})
    report["invalid_input"] = await call(session, tools, "list-members", {"page_size": 1000})
    try:
        await session.call_tool("no-such-tool", {})
        report["unknown_tool"] = {"raised": False}
    except MCPError as error:
        report["unknown_tool"] = {"raised": True, "code": error.code, "message": error.message}
    # A message of 20 MB or more (rmcp reads at most 16 MiB) gets a JSON-RPC error, and the
    # session goes on.
    try:
        await session.call_tool("list-members", {"search": "x" * 20_000_000}, read_timeout_seconds=60)
        report["oversized"] = {"raised": False}
    except MCPError as error:
        report["oversized"] = {"raised": True, "code": error.code, "message": error.message}
    report["after_oversized"] = await call(session, tools, "list-members", {"page_size": 1})


async def concurrent_scenario(session, report):
    """Twenty tool calls at once, as an agent's parallel calls arrive."""
    listing = await session.list_tools()
    tools = {tool.name: tool for tool in listing.tools}
    results = [None] * 20

    async def one(i):
        results[i] = await call(session, tools, "list-members", {"page_size": 1, "page": i + 1})

    async with anyio.create_task_group() as group:
        for i in range(20):
            group.start_soon(one, i)
    report["calls"] = results


def size(model):
    """Bytes of a result as JSON (what the agent's context receives)."""
    return len(json.dumps(model.model_dump(by_alias=True, exclude_none=True, mode="json"), separators=(",", ":")))


async def lean_scenario(session, report):
    """What an agent pays: the tool list's size, and a listing's answer with and without `fields`."""
    listing = await session.list_tools()
    tools = {tool.name: tool for tool in listing.tools}
    report["tool_names"] = sorted(tools)
    report["tools_list_bytes"] = size(listing)
    report["descriptions"] = {tool.name: tool.description for tool in listing.tools}
    if "list-members" not in tools:
        return

    async def measured(arguments):
        result = await session.call_tool("list-members", arguments)
        out = call_report(result, tools)
        out["bytes"] = size(result)
        schema = tools["list-members"].output_schema
        if schema is not None and not result.is_error:
            out["output_schema_problem"] = validation_problem(schema, result.structured_content)
        return out

    report["agent_all_pages"] = await measured({"all_pages": True})
    report["full_page"] = await measured({"page_size": 100})
    report["fields_page"] = await measured({"page_size": 100, "fields": ["username", "role"]})
    report["unknown_field"] = await measured({"fields": ["nickname"]})


async def missing_token_scenario(session, report):
    listing = await session.list_tools()
    report["tool_count"] = len(listing.tools)
    result = await session.call_tool("check-oat-connection", {})
    report["check"] = call_report(result, {})


def main():
    scenario, transcript_path, command, *args = sys.argv[1:]
    report, lines = anyio.run(run, scenario, command, args)
    with open(transcript_path, "w", encoding="utf-8") as transcript:
        for line in lines:
            transcript.write(json.dumps(line) + "\n")
    report["messages"] = len(lines)
    report["unparsed_lines"] = sum(1 for line in lines if "unparsed" in line["message"])
    print(json.dumps(report))


if __name__ == "__main__":
    main()
