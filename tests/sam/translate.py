#!/usr/bin/env python3
"""Run AWS's own SAM translator on a template and describe the API Gateway setup it produces.

    python tests/sam/translate.py TEMPLATE [--parameter-overrides K=V ...] [--cloudformation]

The half of the differential test for `portcullis serve --template` that does not
belong to Portcullis: the template goes through `samtranslator` (PyPI
`aws-sam-translator`, the library behind `sam build`/`sam deploy` and the
`AWS::Serverless-2016-10-31` transform), and the CloudFormation it emits is read
back into one normalized JSON document on stdout (every list sorted) that a
Rust test can compare with Portcullis's own reading of the same template:

    {"functions": {LOGICAL_ID: {runtime, handler, timeout, memory, environment}},
     "apis": [{logical_id, type, stages, stage_variables, routes, authorizers,
               usage_plans, cors, binary_media_types, stage_settings,
               gateway_responses, resource_policy}]}

With `--cloudformation` the translator's raw output is printed instead (for
debugging a mismatch).

Nothing here talks to AWS: the region comes from a local boto3 Session object,
and the managed-policy loader is a stub that knows no policy names. Local
paths (`CodeUri: src/`) become placeholder S3 URIs first, as `sam validate`
does, because the translator accepts nothing else there.

A template the translator refuses gives `{"error": "..."}` and exit status 0
(the test decides what that means); only bad usage exits non-zero.
"""

import argparse
import copy
import json
import os
import re
import sys

import yaml

# Pseudo parameters a deployment would supply. The translator reads the region
# from a boto3 Session (below); the rest only matter when a template refers to
# them and we resolve the reference for the normalized output.
REGION = "us-east-1"
PSEUDO_PARAMETERS = {
    "AWS::Region": REGION,
    "AWS::Partition": "aws",
    "AWS::AccountId": "123456789012",
    "AWS::StackName": "portcullis-local",
    "AWS::StackId": f"arn:aws:cloudformation:{REGION}:123456789012:stack/portcullis-local/00000000-0000-0000-0000-000000000000",
    "AWS::URLSuffix": "amazonaws.com",
}

HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
ANY_METHOD = "x-amazon-apigateway-any-method"


# --------------------------------------------------------------------------
# YAML with CloudFormation's short-form intrinsics
# --------------------------------------------------------------------------


class CloudFormationLoader(yaml.SafeLoader):
    """A SafeLoader that turns `!Ref X`, `!Sub ...`, `!GetAtt A.B`, ... into their
    long (JSON) forms, and keeps timestamps as the strings they were written as
    (CloudFormation has no date type: `AWSTemplateFormatVersion: 2010-09-09`)."""


def _construct_intrinsic(loader, tag_suffix, node):
    name = tag_suffix
    key = name if name in ("Ref", "Condition") else "Fn::" + name
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
        if name == "GetAtt":
            # `!GetAtt Resource.Attribute` -> ["Resource", "Attribute"] (attribute may contain dots).
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {key: value}


def _construct_timestamp_as_string(loader, node):
    return loader.construct_scalar(node)


CloudFormationLoader.add_multi_constructor("!", _construct_intrinsic)
CloudFormationLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp_as_string)


def load_template(text):
    return yaml.load(text, Loader=CloudFormationLoader)  # noqa: S506 -- a SafeLoader subclass


# --------------------------------------------------------------------------
# Running the translator
# --------------------------------------------------------------------------


class NoManagedPolicies:
    """Stands in for samtranslator's ManagedPolicyLoader (which lists IAM's
    policies through boto3). The translator bundles the common AWS managed
    policies already; anything else is left as the name it was written as."""

    def load(self):
        return {}


# Properties that name a local path before `sam package` uploads it. The translator
# only accepts S3 locations there, so (as `sam validate` does) a local path is
# swapped for a placeholder S3 URI first; none of them affects the API setup,
# except a local DefinitionUri, whose routes then stay unknown (BodyS3Location).
LOCAL_ARTIFACT_PROPERTIES = {
    "AWS::Serverless::Function": "CodeUri",
    "AWS::Serverless::LayerVersion": "ContentUri",
    "AWS::Serverless::Api": "DefinitionUri",
    "AWS::Serverless::HttpApi": "DefinitionUri",
    "AWS::Serverless::StateMachine": "DefinitionUri",
}
PLACEHOLDER_BUCKET = "portcullis-local-artifacts"


def _placeholder_s3_uri(value):
    if isinstance(value, str) and not value.startswith("s3://"):
        return f"s3://{PLACEHOLDER_BUCKET}/{value.strip('./') or 'root'}"
    return value


def replace_local_artifacts(template):
    resources = template.get("Resources")
    for resource in (resources or {}).values() if isinstance(resources, dict) else []:
        if not isinstance(resource, dict) or not isinstance(resource.get("Properties"), dict):
            continue
        prop = LOCAL_ARTIFACT_PROPERTIES.get(resource.get("Type"))
        if prop and prop in resource["Properties"]:
            resource["Properties"][prop] = _placeholder_s3_uri(resource["Properties"][prop])
    globals_ = template.get("Globals")
    if isinstance(globals_, dict):
        for section, prop in (("Function", "CodeUri"), ("Api", "DefinitionUri"), ("HttpApi", "DefinitionUri")):
            if isinstance(globals_.get(section), dict) and prop in globals_[section]:
                globals_[section][prop] = _placeholder_s3_uri(globals_[section][prop])


def translate(template, parameter_values):
    """The translator's CloudFormation for `template`, as `transform()` makes it but
    with a boto3 Session pinned to REGION, so neither the environment nor AWS is
    consulted for the region."""
    import boto3
    from samtranslator.parser.parser import Parser
    from samtranslator.translator.translator import Translator
    from samtranslator.utils.py27hash_fix import (
        to_py27_compatible_template,
        undo_mark_unicode_str_in_template,
    )

    loader = NoManagedPolicies()
    policy_map = {}

    def get_managed_policy_map():
        if not policy_map:
            policy_map.update(loader.load())
        return policy_map

    session = boto3.session.Session(region_name=REGION)
    replace_local_artifacts(template)
    to_py27_compatible_template(template, parameter_values)
    translator = Translator(None, Parser(), boto_session=session)
    out = translator.translate(
        template,
        parameter_values=parameter_values,
        get_managed_policy_map=get_managed_policy_map,
    )
    return undo_mark_unicode_str_in_template(out)


def error_message(exc):
    """The translator's message, with every cause of an invalid document spelled out
    (the top-level message only counts them)."""
    message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    causes = getattr(exc, "causes", None) or []
    parts = [message] + [getattr(c, "message", None) or str(c) for c in causes]
    return " ".join(p.strip() for p in parts if p)


# --------------------------------------------------------------------------
# Reading the translator's output
# --------------------------------------------------------------------------


def _finish_subs(value):
    """samtranslator inlines parameters into an `Fn::Sub` but keeps the wrapper, e.g.
    {"Fn::Sub": "https://widgets-dev.example.com"}; a Sub with nothing left to
    substitute (only `${!Literal}` escapes) becomes the string it stands for."""
    if isinstance(value, list):
        return [_finish_subs(v) for v in value]
    if not isinstance(value, dict):
        return value
    if list(value) == ["Fn::Sub"]:
        arg = value["Fn::Sub"]
        text, variables = (arg, {}) if isinstance(arg, str) else (arg[0], arg[1] if len(arg) > 1 else {})
        if isinstance(text, str) and isinstance(variables, dict):
            for name, v in variables.items():
                v = _finish_subs(v)
                if isinstance(v, str):
                    text = text.replace("${" + name + "}", v)
            if not re.search(r"\$\{(?!!)", text):
                return text.replace("${!", "${")
    return {k: _finish_subs(v) for k, v in value.items()}


class Reader:
    def __init__(self, cfn, parameter_values):
        from samtranslator.intrinsics.resolver import IntrinsicsResolver

        self.resources = cfn.get("Resources") or {}
        self.resolver = IntrinsicsResolver(parameter_values)

    # -- generic helpers ---------------------------------------------------

    def resolve(self, value):
        """Inline parameter and pseudo-parameter references (Ref / Sub); anything
        else (a GetAtt, a Ref to a resource) is left in its JSON form."""
        return _finish_subs(self.resolver.resolve_parameter_refs(copy.deepcopy(value)))

    def of_type(self, resource_type):
        return sorted(
            (lid, res.get("Properties") or {})
            for lid, res in self.resources.items()
            if isinstance(res, dict) and res.get("Type") == resource_type
        )

    def resource_type(self, logical_id):
        res = self.resources.get(logical_id)
        return res.get("Type") if isinstance(res, dict) else None

    @staticmethod
    def ref_target(value):
        if isinstance(value, dict) and list(value) == ["Ref"] and isinstance(value["Ref"], str):
            return value["Ref"]
        return None

    def as_text(self, value):
        """A resolved scalar as a string; GetAtt as "GetAtt:Logical.Attr"; anything
        else that did not resolve, as its JSON text."""
        value = self.resolve(value)
        if isinstance(value, str):
            return value
        if isinstance(value, dict) and list(value) == ["Fn::GetAtt"]:
            target = value["Fn::GetAtt"]
            if isinstance(target, list):
                target = ".".join(str(t) for t in target)
            return f"GetAtt:{target}"
        if isinstance(value, dict) and list(value) == ["Ref"]:
            return f"Ref:{value['Ref']}"
        return json.dumps(value, sort_keys=True)

    # -- Lambda functions ----------------------------------------------------

    def function_of(self, uri):
        """The logical id of the Lambda function an integration (or authorizer) URI
        invokes; None without a URI; the URI's JSON text when it names no function
        of this template."""
        if uri is None:
            return None
        found = self._function_in(uri)
        if found is not None:
            return found
        # An AWS service action (`...:apigateway:REGION:states:action/StartExecution`).
        text = self.as_text(uri)
        match = re.search(r":apigateway:[^:]*:([a-z0-9-]+):action/([A-Za-z]+)$", text or "")
        if match:
            return f"{match.group(1)}:{match.group(2)}"
        return uri if isinstance(uri, str) else json.dumps(uri, sort_keys=True)

    def _function_in(self, value):
        if isinstance(value, str):
            return self._function_in_arn(value)
        if not isinstance(value, dict) or len(value) != 1:
            return None
        (fn, arg), = value.items()
        if fn == "Fn::GetAtt":
            target = arg.split(".", 1) if isinstance(arg, str) else arg
            if isinstance(target, list) and target:
                return self._as_function(target[0])
        if fn == "Ref" and isinstance(arg, str):
            return self._as_function(arg)
        if fn == "Fn::Sub":
            text, variables = (arg, {}) if isinstance(arg, str) else (arg[0], arg[1] if len(arg) > 1 else {})
            match = re.search(r"functions/(.*?)/invocations", text) if isinstance(text, str) else None
            if match:
                part = match.group(1)
                for name in re.findall(r"\$\{([^}!]+)\}", part):
                    if name in (variables or {}):
                        found = self._function_in(variables[name])
                    else:
                        found = self._as_function(name.split(".", 1)[0])
                    if found:
                        return found
                return self._function_in_arn(part)
        if fn == "Fn::Join" and isinstance(arg, list) and len(arg) == 2 and isinstance(arg[1], list):
            for part in arg[1]:
                if isinstance(part, dict):
                    found = self._function_in(part)
                    if found:
                        return found
            if all(isinstance(p, str) for p in arg[1]):
                return self._function_in_arn(str(arg[0]).join(arg[1]))
        return None

    def _as_function(self, logical_id):
        """A function's logical id for a reference to the function itself or to one
        of its aliases/versions (SAM's AutoPublishAlias)."""
        kind = self.resource_type(logical_id)
        if kind == "AWS::Lambda::Function":
            return logical_id
        if kind in ("AWS::Lambda::Alias", "AWS::Lambda::Version"):
            props = self.resources[logical_id].get("Properties") or {}
            return self._function_in(props.get("FunctionName"))
        return None

    def _function_in_arn(self, text):
        """A literal function ARN (or name) matched against the template's functions'
        FunctionName properties."""
        match = re.search(r"functions/(.*?)/invocations", text)
        arn = match.group(1) if match else text
        name_match = re.search(r":function:([^:/]+)", arn)
        name = name_match.group(1) if name_match else arn
        for lid, props in self.of_type("AWS::Lambda::Function"):
            if self.resolve(props.get("FunctionName")) == name:
                return lid
        return None

    def functions(self):
        out = {}
        for lid, props in self.of_type("AWS::Lambda::Function"):
            environment = (props.get("Environment") or {}).get("Variables") or {}
            out[lid] = {
                "runtime": self.resolve(props.get("Runtime")),
                "handler": self.resolve(props.get("Handler")),
                "timeout": self.resolve(props.get("Timeout")),
                "memory": self.resolve(props.get("MemorySize")),
                "environment": self.resolve(environment),
            }
        return out

    # -- APIs ----------------------------------------------------------------

    def apis(self):
        out = []
        for lid, props in self.of_type("AWS::ApiGateway::RestApi"):
            out.append(self.api(lid, props, "REST"))
        for lid, props in self.of_type("AWS::ApiGatewayV2::Api"):
            # WebSocket APIs are not served (Portcullis warns); only HTTP APIs compare.
            if self.as_text(props.get("ProtocolType")) == "WEBSOCKET":
                continue
            out.append(self.api(lid, props, "HTTP"))
        return sorted(out, key=lambda a: a["logical_id"])

    def stages(self, api_id, kind):
        """{stage logical id: (name, variables)} of the stages that Ref the API."""
        stage_type, api_key, variables_key = (
            ("AWS::ApiGateway::Stage", "RestApiId", "Variables")
            if kind == "REST"
            else ("AWS::ApiGatewayV2::Stage", "ApiId", "StageVariables")
        )
        found = {}
        for lid, props in self.of_type(stage_type):
            if self.ref_target(props.get(api_key)) == api_id:
                found[lid] = (self.as_text(props.get("StageName")), self.resolve(props.get(variables_key) or {}))
        return found

    def stage_settings(self, api_id, kind):
        """{stage name: {throttle, method_throttle, cache}}: the Stage resources'
        method settings (REST) or route settings (HTTP), by route key. A throttle
        setting one number gets API Gateway's account default for the other."""
        stage_type, api_key = (
            ("AWS::ApiGateway::Stage", "RestApiId") if kind == "REST" else ("AWS::ApiGatewayV2::Stage", "ApiId")
        )

        def throttle(setting):
            rate, burst = setting.get("ThrottlingRateLimit"), setting.get("ThrottlingBurstLimit")
            if rate is None and burst is None:
                return None
            return {
                "rate": float(rate if rate is not None else 10000),
                "burst": int(burst if burst is not None else 5000),
            }

        out = {}
        for _, props in self.of_type(stage_type):
            if self.ref_target(props.get(api_key)) != api_id:
                continue
            props = self.resolve(props)
            described = {"throttle": None, "method_throttle": {}, "cache": None}
            if kind == "REST":
                every = {}
                cached = {}
                for setting in props.get("MethodSettings") or []:
                    path, method = setting.get("ResourcePath", "/*"), setting.get("HttpMethod", "*")
                    if (path, method) == ("/*", "*"):
                        every = setting
                        described["throttle"] = throttle(setting)
                        continue
                    decoded = path[1:].replace("~1", "/").replace("~0", "~")
                    key = method.upper() + " " + (decoded if decoded.startswith("/") else "/" + decoded)
                    if throttle(setting):
                        described["method_throttle"][key] = throttle(setting)
                    if any(k in setting for k in ("CachingEnabled", "CacheTtlInSeconds", "CacheDataEncrypted")):
                        cached[key] = {
                            "enabled": setting.get("CachingEnabled", every.get("CachingEnabled", False)),
                            "ttl": int(setting.get("CacheTtlInSeconds", every.get("CacheTtlInSeconds", 300))),
                        }
                if props.get("CacheClusterEnabled") in (True, "true"):
                    described["cache"] = {
                        "size": str(props.get("CacheClusterSize", "0.5")),
                        "enabled": every.get("CachingEnabled", False),
                        "ttl": int(every.get("CacheTtlInSeconds", 300)),
                        "methods": cached,
                    }
            else:
                described["throttle"] = throttle(props.get("DefaultRouteSettings") or {})
                for key, setting in (props.get("RouteSettings") or {}).items():
                    if throttle(setting):
                        described["method_throttle"][key] = throttle(setting)
            out[self.as_text(props.get("StageName"))] = described
        return out

    def gateway_responses(self, body):
        """{type: {status, parameters, templates}} of a REST body."""
        out = {}
        for kind, response in (body.get("x-amazon-apigateway-gateway-responses") or {}).items():
            response = self.resolve(response or {})
            status = response.get("statusCode")
            out[kind] = {
                "status": int(status) if status is not None else None,
                # A response has no path or query string: Portcullis keeps headers.
                "parameters": {
                    k: v
                    for k, v in (response.get("responseParameters") or {}).items()
                    if not k.startswith(("gatewayresponse.path.", "gatewayresponse.querystring."))
                },
                "templates": response.get("responseTemplates") or {},
            }
        return out

    def api(self, api_id, props, kind):
        body = props.get("Body")
        body = body if isinstance(body, dict) else {}
        stages = self.stages(api_id, kind)
        if kind == "REST" and "openapi" not in body:
            schemes = body.get("securityDefinitions") or {}
        else:
            schemes = (body.get("components") or {}).get("securitySchemes") or {}
        routes, cors = self.routes(body, kind, schemes)
        if kind == "HTTP":
            cors = self.http_cors(body.get("x-amazon-apigateway-cors") or props.get("CorsConfiguration"))
        binary = body.get("x-amazon-apigateway-binary-media-types") or props.get("BinaryMediaTypes") or []
        return {
            "logical_id": api_id,
            "type": kind,
            "stages": sorted(name for name, _ in stages.values()),
            "stage_variables": {name: variables for name, variables in stages.values()},
            "routes": routes,
            "authorizers": self.authorizers(schemes),
            "usage_plans": self.usage_plans(api_id, stages) if kind == "REST" else [],
            "cors": cors,
            "binary_media_types": sorted(self.joined(t).replace("~1", "/") for t in binary),
            "stage_settings": self.stage_settings(api_id, kind),
            "minimum_compression_size": props.get("MinimumCompressionSize")
            if props.get("MinimumCompressionSize") is not None
            else body.get("x-amazon-apigateway-minimum-compression-size"),
            "models": sorted(
                (body.get("definitions") or (body.get("components") or {}).get("schemas") or {})
                if kind == "REST"
                else []
            ),
            "gateway_responses": self.gateway_responses(body) if kind == "REST" else {},
            "resource_policy": self.resolve(body.get("x-amazon-apigateway-policy")) if kind == "REST" else None,
        }

    def routes(self, body, kind, schemes):
        """The routes of an OpenAPI body, and (REST) the CORS preflight responders SAM
        generated, which are summarised as `cors` rather than listed as routes."""
        routes = []
        preflight = {}
        top_security = body.get("security")
        for path, item in sorted((body.get("paths") or {}).items()):
            if not isinstance(item, dict):
                continue
            for key, operation in sorted(item.items()):
                lowered = key.lower()
                if lowered != ANY_METHOD and lowered not in HTTP_METHODS:
                    continue
                operation = operation if isinstance(operation, dict) else {}
                integration = operation.get("x-amazon-apigateway-integration")
                if kind == "REST" and lowered == "options" and self._is_cors_preflight(integration):
                    preflight[path] = integration
                    continue
                # SAM writes an HttpApi event's default route as `/$default`,
                # which API Gateway imports as the `$default` route.
                if kind == "HTTP" and path == "/$default":
                    path = "$default"
                method = "ANY" if lowered == ANY_METHOD or path == "$default" else key.upper()
                security = operation.get("security", top_security) or []
                names = sorted({name for requirement in security if isinstance(requirement, dict) for name in requirement})
                # `Auth: {Authorizer: NONE}` on an event comes out as the requirement
                # {"NONE": []}, naming no scheme: the route has no authorizer.
                authorizers = [n for n in names if n != "api_key" and (n != "NONE" or n in schemes)]
                routes.append(
                    {
                        **(self.request_checks(body, operation, item) if kind == "REST" else {}),
                        "method": method,
                        "path": path,
                        "function": self.function_of((integration or {}).get("uri")),
                        "integration": str((integration or {}).get("type")).lower() if integration else None,
                        "payload": (integration or {}).get("payloadFormatVersion") if kind == "HTTP" else None,
                        "authorizer": ",".join(authorizers) if authorizers else None,
                        "api_key": "api_key" in names,
                    }
                )
        routes.sort(key=lambda r: (r["path"], r["method"]))
        return routes, self.rest_cors(preflight)

    def joined(self, value):
        """Text, with a `Fn::Join` of texts joined."""
        value = self.resolve(value)
        if isinstance(value, dict) and list(value) == ["Fn::Join"]:
            separator, parts = value["Fn::Join"]
            if all(isinstance(p, str) for p in parts):
                return separator.join(parts)
        return self.as_text(value)

    def role_arn(self, value):
        """An integration's credentials, with `Fn::GetAtt [Role, Arn]` (or its
        `Fn::Sub` form) of a role of the output written out as the role's ARN
        (its RoleName, else its logical id), as Portcullis resolves it."""
        value = self.resolve(value)
        target = None
        if isinstance(value, dict) and list(value) == ["Fn::GetAtt"]:
            target = value["Fn::GetAtt"]
            target = target[0] if isinstance(target, list) and target[1:] == ["Arn"] else None
        elif isinstance(value, dict) and list(value) == ["Fn::Sub"] and isinstance(value["Fn::Sub"], str):
            match = re.fullmatch(r"\$\{([A-Za-z0-9]+)\.Arn\}", value["Fn::Sub"])
            target = match.group(1) if match else None
        if target is not None and self.resource_type(target) == "AWS::IAM::Role":
            props = (self.resources.get(target) or {}).get("Properties") or {}
            name = self.as_text(props["RoleName"]) if props.get("RoleName") is not None else target
            return f"arn:aws:iam::{PSEUDO_PARAMETERS['AWS::AccountId']}:role/{name}"
        return value

    def request_checks(self, body, operation, path_item=None):
        """A REST operation's validator, declared parameters (the path item's
        too) and body models."""
        validators = body.get("x-amazon-apigateway-request-validators") or {}
        name = operation.get("x-amazon-apigateway-request-validator") or body.get(
            "x-amazon-apigateway-request-validator"
        )
        validator = validators.get(name) if name else None
        parameters = []
        models = {}
        places = {"query": "querystring", "header": "header", "path": "path"}
        declared = {}
        for parameter in list((path_item or {}).get("parameters") or []) + list(operation.get("parameters") or []):
            if isinstance(parameter, dict):
                declared[(parameter.get("in"), parameter.get("name"))] = parameter
        request_body = operation.get("requestBody") or {}
        for content_type, media in (request_body.get("content") or {}).items():
            ref = (((media or {}).get("schema") or {}).get("$ref") or "").rsplit("/", 1)[-1]
            if ref:
                models[content_type] = ref
        for parameter in declared.values():
            if parameter.get("in") == "body":
                ref = ((parameter.get("schema") or {}).get("$ref") or "").rsplit("/", 1)[-1]
                for content_type in operation.get("consumes") or body.get("consumes") or ["application/json"]:
                    models[content_type] = ref
            elif parameter.get("in") in places:
                parameters.append(
                    f"{places[parameter['in']]}.{parameter.get('name')}"
                    + (" required" if parameter.get("required") else "")
                )
        integration = operation.get("x-amazon-apigateway-integration") or {}
        return {
            "validator": None
            if validator is None
            else {
                "body": bool(validator.get("validateRequestBody")),
                "params": bool(validator.get("validateRequestParameters")),
            },
            "parameters": sorted(parameters),
            "models": models,
            "cache_keys": list(integration.get("cacheKeyParameters") or []),
            "credentials": self.role_arn(integration.get("credentials")),
        }

    @staticmethod
    def _is_cors_preflight(integration):
        if not isinstance(integration, dict) or str(integration.get("type")).lower() != "mock":
            return False
        responses = integration.get("responses") or {}
        return any(
            "method.response.header.Access-Control-Allow-Origin" in ((r or {}).get("responseParameters") or {})
            for r in responses.values()
        )

    def rest_cors(self, preflight):
        """SAM's CORS for a REST API is an OPTIONS mock per path answering with static
        headers. Summarised as one object when every path answers alike (with the
        methods listed per path when only they differ)."""
        if not preflight:
            return None

        def header_values(integration):
            params = {}
            for response in (integration.get("responses") or {}).values():
                params.update((response or {}).get("responseParameters") or {})
            prefix = "method.response.header."
            out = {}
            for k, v in params.items():
                if k.startswith(prefix):
                    v = self.as_text(v)
                    if len(v) >= 2 and v[0] == v[-1] == "'":
                        v = v[1:-1]
                    out[k[len(prefix):].lower()] = v
            return out

        def split(v):
            return sorted(p.strip() for p in v.split(",") if p.strip()) if v is not None else []

        per_path = {path: header_values(integration) for path, integration in preflight.items()}
        summaries = {}
        for path, h in per_path.items():
            max_age = h.get("access-control-max-age")
            summaries[path] = {
                "allow_origins": split(h.get("access-control-allow-origin")),
                "allow_methods": split(h.get("access-control-allow-methods")),
                "allow_headers": split(h.get("access-control-allow-headers")),
                "expose_headers": split(h.get("access-control-expose-headers")),
                "max_age": int(max_age) if max_age and max_age.isdigit() else max_age,
                "allow_credentials": h.get("access-control-allow-credentials") == "true",
            }
        first = next(iter(summaries.values()))
        if all(s == first for s in summaries.values()):
            return {**first, "paths": sorted(summaries)}
        without_methods = [{k: v for k, v in s.items() if k != "allow_methods"} for s in summaries.values()]
        if all(s == without_methods[0] for s in without_methods):
            return {
                **without_methods[0],
                "allow_methods": {path: s["allow_methods"] for path, s in summaries.items()},
                "paths": sorted(summaries),
            }
        return {"per_path": summaries, "paths": sorted(summaries)}

    def http_cors(self, config):
        if not config:
            return None
        config = self.resolve(config)
        lowered = {k.lower(): v for k, v in config.items()} if isinstance(config, dict) else {}

        def listed(key):
            v = lowered.get(key) or []
            return sorted(self.as_text(x) for x in (v if isinstance(v, list) else [v]))

        return {
            "allow_origins": listed("alloworigins"),
            "allow_methods": listed("allowmethods"),
            "allow_headers": listed("allowheaders"),
            "expose_headers": listed("exposeheaders"),
            "max_age": lowered.get("maxage"),
            "allow_credentials": bool(lowered.get("allowcredentials")),
        }

    def authorizers(self, schemes):
        out = {}
        for name, scheme in sorted(schemes.items()):
            if not isinstance(scheme, dict):
                continue
            authorizer = scheme.get("x-amazon-apigateway-authorizer")
            if not isinstance(authorizer, dict):
                continue  # e.g. REST's api_key scheme
            kind = str(authorizer.get("type") or scheme.get("x-amazon-apigateway-authtype") or "").lower()
            identity = authorizer.get("identitySource")
            if identity is None and scheme.get("in") == "header" and scheme.get("name"):
                identity = "method.request.header." + scheme["name"]
            if isinstance(identity, list):
                identity = ", ".join(self.as_text(i) for i in identity)
            elif identity is not None:
                identity = self.as_text(identity)
            jwt = authorizer.get("jwtConfiguration") or {}
            audience = jwt.get("audience")
            out[name] = {
                "type": kind,
                "identity_source": identity,
                "provider_arns": sorted(self.as_text(a) for a in authorizer.get("providerARNs") or []),
                "function": self.function_of(authorizer.get("authorizerUri")),
                "issuer": self.as_text(jwt["issuer"]) if "issuer" in jwt else None,
                "audience": sorted(self.as_text(a) for a in (audience if isinstance(audience, list) else [audience]))
                if audience is not None
                else None,
            }
        return out

    def usage_plans(self, api_id, stages):
        out = []
        for _, props in self.of_type("AWS::ApiGateway::UsagePlan"):
            names = []
            for api_stage in props.get("ApiStages") or []:
                if not isinstance(api_stage, dict) or self.ref_target(api_stage.get("ApiId")) != api_id:
                    continue
                stage = api_stage.get("Stage")
                target = self.ref_target(stage)
                names.append(stages[target][0] if target in stages else self.as_text(stage))
            if not names:
                continue
            throttle = self.resolve(props.get("Throttle"))
            quota = self.resolve(props.get("Quota"))
            out.append(
                {
                    "throttle": {"rate": throttle.get("RateLimit"), "burst": throttle.get("BurstLimit")}
                    if isinstance(throttle, dict)
                    else None,
                    "quota": {"limit": quota.get("Limit"), "period": quota.get("Period")}
                    if isinstance(quota, dict)
                    else None,
                    "stages": sorted(names),
                }
            )
        return sorted(out, key=lambda p: json.dumps(p, sort_keys=True))


# --------------------------------------------------------------------------


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description="Describe the API Gateway setup AWS's SAM translator derives from a template, as JSON."
    )
    parser.add_argument("template", help="SAM template (YAML or JSON)")
    parser.add_argument(
        "--parameter-overrides",
        nargs="+",
        action="extend",
        default=[],
        metavar="KEY=VALUE",
        help="template parameter values (over the templates' defaults)",
    )
    parser.add_argument(
        "--cloudformation", action="store_true", help="print the translator's raw CloudFormation instead"
    )
    args = parser.parse_args(argv)
    overrides = {}
    for item in args.parameter_overrides:
        key, sep, value = item.partition("=")
        if not sep or not key:
            parser.error(f"--parameter-overrides wants KEY=VALUE, got {item!r}")
        overrides[key] = value
    if not os.path.isfile(args.template):
        parser.error(f"no such template: {args.template}")
    return args, overrides


def main(argv):
    args, overrides = parse_args(argv)
    with open(args.template, encoding="utf-8") as f:
        text = f.read()

    def fail(message):
        print(json.dumps({"error": message}))
        return 0

    try:
        template = load_template(text)
    except yaml.YAMLError as e:
        return fail(f"template is not YAML: {e}")
    if not isinstance(template, dict):
        return fail("template is not a mapping")

    parameter_values = {**PSEUDO_PARAMETERS, **overrides}
    try:
        cfn = translate(copy.deepcopy(template), copy.deepcopy(parameter_values))
    except Exception as e:  # noqa: BLE001 -- any refusal (or crash) of the translator is the test's to judge
        return fail(error_message(e))

    if args.cloudformation:
        print(json.dumps(cfn, indent=2, sort_keys=True))
        return 0

    # The values the translator resolved with: the templates' defaults under the overrides.
    resolved = dict(parameter_values)
    for name, definition in (template.get("Parameters") or {}).items():
        if name not in resolved and isinstance(definition, dict) and "Default" in definition:
            resolved[name] = definition["Default"]
    reader = Reader(cfn, resolved)
    print(json.dumps({"functions": reader.functions(), "apis": reader.apis()}, indent=2, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
