/* Bolt API docs: renders the OpenAPI document served beside this page.
 *
 * Every text taken from the schema is inserted with textContent (never as HTML), so a
 * docstring or description cannot inject markup into the page.
 */
(function () {
  "use strict";

  var app = document.getElementById("app");
  var statusLine = document.getElementById("status");
  var schemaUrl = app.getAttribute("data-schema-url");
  var METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
  var doc = null;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function refName(ref) {
    return ref.split("/").pop();
  }

  function resolve(schema) {
    if (schema && schema.$ref && schema.$ref.indexOf("#/components/schemas/") === 0) {
      var found = ((doc.components || {}).schemas || {})[refName(schema.$ref)];
      return found || {};
    }
    return schema || {};
  }

  function typeLabel(schema) {
    if (!schema) return "any";
    if (schema.$ref) return refName(schema.$ref);
    if (schema.anyOf || schema.oneOf) {
      return (schema.anyOf || schema.oneOf).map(typeLabel).join(" | ");
    }
    if (schema.allOf) return schema.allOf.map(typeLabel).join(" & ");
    if (schema.type === "array") return "array<" + typeLabel(schema.items) + ">";
    if (schema.enum) return "enum";
    var label = Array.isArray(schema.type) ? schema.type.join(" | ") : schema.type || "any";
    if (schema.format) label += " (" + schema.format + ")";
    return label;
  }

  var RULES = [
    ["minimum", ">= "], ["maximum", "<= "], ["exclusiveMinimum", "> "],
    ["exclusiveMaximum", "< "], ["minLength", "min length "], ["maxLength", "max length "],
    ["pattern", "pattern "], ["minItems", "min items "], ["maxItems", "max items "],
    ["multipleOf", "multiple of "]
  ];

  function rules(schema) {
    var out = [];
    RULES.forEach(function (rule) {
      if (schema[rule[0]] !== undefined) out.push(rule[1] + schema[rule[0]]);
    });
    if (schema.enum) out.push("one of " + schema.enum.map(JSON.stringify).join(", "));
    if (schema["default"] !== undefined) out.push("default " + JSON.stringify(schema["default"]));
    return out.join("; ");
  }

  /* A schema as a nested list; $refs are followed once per branch (recursive types stop). */
  function schemaTree(schema, seen) {
    seen = seen || [];
    var box = el("div", "schema");
    var head = el("div", "schema-head");
    head.appendChild(el("span", "type", typeLabel(schema)));
    var shown = resolve(schema);
    var text = rules(shown);
    if (text) head.appendChild(el("span", "rules", text));
    if (shown.description) head.appendChild(el("span", "desc", shown.description));
    box.appendChild(head);
    if (schema && schema.$ref) {
      if (seen.indexOf(schema.$ref) !== -1) return box;
      seen = seen.concat([schema.$ref]);
    }
    var variants = shown.anyOf || shown.oneOf || shown.allOf;
    if (variants) {
      variants.forEach(function (variant) {
        if (variant.$ref || variant.properties || variant.items) {
          box.appendChild(schemaTree(variant, seen));
        }
      });
    }
    if (shown.type === "array" && shown.items && (shown.items.$ref || shown.items.properties)) {
      box.appendChild(schemaTree(shown.items, seen));
    }
    if (shown.properties) {
      var list = el("ul", "props");
      var required = shown.required || [];
      Object.keys(shown.properties).forEach(function (name) {
        var item = el("li");
        item.appendChild(el("code", "prop", name));
        if (required.indexOf(name) !== -1) item.appendChild(el("span", "required", "required"));
        item.appendChild(schemaTree(shown.properties[name], seen));
        list.appendChild(item);
      });
      box.appendChild(list);
    }
    return box;
  }

  function section(title) {
    var wrap = el("section", "part");
    wrap.appendChild(el("h4", null, title));
    return wrap;
  }

  function parametersTable(params) {
    var table = el("table", "params");
    var head = el("tr");
    ["Name", "In", "Type", "Required", "Rules / description"].forEach(function (h) {
      head.appendChild(el("th", null, h));
    });
    table.appendChild(head);
    params.forEach(function (p) {
      var row = el("tr");
      row.appendChild(el("td", null, p.name)).className = "name";
      row.appendChild(el("td", null, p["in"]));
      row.appendChild(el("td", null, typeLabel(p.schema)));
      row.appendChild(el("td", null, p.required ? "yes" : "no"));
      var notes = [rules(resolve(p.schema)), p.description].filter(Boolean).join(" - ");
      row.appendChild(el("td", null, notes));
      table.appendChild(row);
    });
    return table;
  }

  function contentBlock(content) {
    var wrap = el("div");
    Object.keys(content || {}).forEach(function (media) {
      wrap.appendChild(el("div", "media", media));
      var schema = content[media].schema;
      if (schema) wrap.appendChild(schemaTree(schema));
    });
    return wrap;
  }

  function operationBlock(path, method, op) {
    var box = el("details", "op op-" + method);
    box.setAttribute("data-search", [path, op.summary || "", (op.tags || []).join(" ")]
      .join(" ").toLowerCase());
    var summary = el("summary");
    summary.appendChild(el("span", "method", method.toUpperCase()));
    summary.appendChild(el("code", "path", path));
    summary.appendChild(el("span", "summary", op.summary || ""));
    if (op.deprecated) summary.appendChild(el("span", "deprecated", "deprecated"));
    box.appendChild(summary);
    var body = el("div", "op-body");
    if (op.description) body.appendChild(el("p", "description", op.description));
    body.appendChild(el("p", "opid", "operationId: " + op.operationId));
    if (op.security) {
      var sec = section("Authentication");
      var names = op.security.map(function (req) {
        var keys = Object.keys(req);
        return keys.length ? keys.join(" + ") : "anonymous";
      });
      sec.appendChild(el("p", null, "One of: " + names.join(", ")));
      body.appendChild(sec);
    }
    if (op.parameters && op.parameters.length) {
      var params = section("Parameters");
      params.appendChild(parametersTable(op.parameters));
      body.appendChild(params);
    }
    if (op.requestBody) {
      var req = section("Request body" + (op.requestBody.required ? " (required)" : ""));
      req.appendChild(contentBlock(op.requestBody.content));
      body.appendChild(req);
    }
    var responses = section("Responses");
    Object.keys(op.responses || {}).forEach(function (code) {
      var response = op.responses[code];
      var line = el("div", "response");
      line.appendChild(el("span", "code code-" + code.charAt(0), code));
      line.appendChild(el("span", null, response.description || ""));
      responses.appendChild(line);
      if (response.content) responses.appendChild(contentBlock(response.content));
    });
    body.appendChild(responses);
    box.appendChild(body);
    return box;
  }

  function render() {
    var info = doc.info || {};
    document.getElementById("api-title").textContent = info.title || "API";
    document.getElementById("api-version").textContent = info.version ? "v" + info.version : "";
    app.textContent = "";
    if (info.description) app.appendChild(el("p", "api-description", info.description));
    var groups = {};
    var order = [];
    Object.keys(doc.paths || {}).forEach(function (path) {
      METHODS.forEach(function (method) {
        var op = doc.paths[path][method];
        if (!op) return;
        var tag = (op.tags && op.tags[0]) || "default";
        if (!groups[tag]) {
          groups[tag] = [];
          order.push(tag);
        }
        groups[tag].push(operationBlock(path, method, op));
      });
    });
    if (!order.length) app.appendChild(el("p", "status", "This API has no documented routes."));
    order.forEach(function (tag) {
      var group = el("section", "tag");
      group.appendChild(el("h2", null, tag));
      groups[tag].forEach(function (block) { group.appendChild(block); });
      app.appendChild(group);
    });
    var schemas = (doc.components || {}).schemas || {};
    var names = Object.keys(schemas).filter(function (n) { return n.indexOf("Bolt") !== 0; });
    if (names.length) {
      var models = el("section", "tag schemas");
      models.appendChild(el("h2", null, "Schemas"));
      names.forEach(function (name) {
        var box = el("details", "op");
        box.appendChild(el("summary", null, name));
        box.appendChild(schemaTree({ $ref: "#/components/schemas/" + name }));
        models.appendChild(box);
      });
      app.appendChild(models);
    }
  }

  document.getElementById("filter").addEventListener("input", function (event) {
    var needle = event.target.value.toLowerCase();
    Array.prototype.forEach.call(document.querySelectorAll("details.op[data-search]"),
      function (node) {
        node.hidden = needle !== "" && node.getAttribute("data-search").indexOf(needle) === -1;
      });
  });

  fetch(schemaUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
    .then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.json();
    })
    .then(function (data) {
      doc = data;
      render();
    })
    .catch(function (error) {
      statusLine.textContent = "Could not load " + schemaUrl + ": " + error.message;
      statusLine.className = "status error";
    });
})();
