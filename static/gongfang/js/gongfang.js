/*
 * gongfang page behaviour. Everything is driven by data-attributes, so pages carry no inline
 * script and a strict Content-Security-Policy holds.
 *
 *   <select data-api-select data-api-url="/api/registry/rooms/">  → tom-select, options loaded
 *       from the scoped API as the user types (?q=<text>&limit=20 → {results: [{id, display}]})
 *   <select data-optgroup-follows="id_category">  → shows only the option group whose label is
 *       the text of the chosen option in #id_category (room subtype by category)
 *   <form data-drop-empty>  → htmx requests from it leave out empty fields (short, clean URLs)
 */
(function () {
  "use strict";

  function apiUrl(base, query) {
    var url = new URL(base, window.location.origin);
    url.searchParams.set("q", query || "");
    url.searchParams.set("limit", "20");
    return url.toString();
  }

  function initApiSelect(select) {
    if (select.tomselect || typeof window.TomSelect === "undefined") {
      return;
    }
    var base = select.getAttribute("data-api-url");
    if (!base) {
      return; // no API for this model: keep the plain select
    }
    var required = select.required;
    var plugins = required ? [] : ["clear_button"];
    new window.TomSelect(select, {
      valueField: "id",
      labelField: "display",
      searchField: [],
      allowEmptyOption: false,
      maxOptions: 50,
      preload: "focus",
      loadThrottle: 300,
      plugins: plugins,
      placeholder: select.getAttribute("data-placeholder") || "输入关键字搜索…",
      load: function (query, callback) {
        var self = this;
        fetch(apiUrl(base, query), {
          credentials: "same-origin",
          headers: { Accept: "application/json" }
        })
          .then(function (response) {
            if (!response.ok) {
              throw new Error(String(response.status));
            }
            return response.json();
          })
          .then(function (data) {
            var results = (data && data.results) || [];
            results.forEach(function (row) {
              row.id = String(row.id);
            });
            self.clearOptions();
            callback(results);
          })
          .catch(function () {
            callback();
          });
      },
      render: {
        no_results: function () {
          return '<div class="no-results">没有找到匹配的记录</div>';
        },
        loading: function () {
          return '<div class="spinner-border spinner-border-sm text-secondary m-2" role="status"></div>';
        }
      }
    });
  }

  function initOptgroupFollower(select) {
    var source = document.getElementById(select.getAttribute("data-optgroup-follows"));
    if (!source || select.dataset.gfFollowing) {
      return;
    }
    select.dataset.gfFollowing = "1";
    function update() {
      var chosen = source.options[source.selectedIndex];
      var label = chosen && chosen.value ? chosen.text : null;
      var groups = select.querySelectorAll("optgroup");
      groups.forEach(function (group) {
        var show = label === null || group.label === label;
        group.hidden = !show;
        group.disabled = !show;
      });
      var current = select.options[select.selectedIndex];
      if (current && current.parentElement.tagName === "OPTGROUP" && current.parentElement.disabled) {
        select.value = "";
      }
    }
    source.addEventListener("change", update);
    update();
  }

  // A "select all" box: <input type="checkbox" data-check-all="name"> checks or clears every
  // box of that name in its form (the to-do list's batch signing).
  function initCheckAll(box) {
    box.addEventListener("change", function () {
      var form = box.form || document;
      form.querySelectorAll('input[type="checkbox"][name="' + box.dataset.checkAll + '"]')
        .forEach(function (other) {
          other.checked = box.checked;
        });
    });
  }

  function init(root) {
    var scope = root && root.querySelectorAll ? root : document;
    scope.querySelectorAll("select[data-api-select]").forEach(initApiSelect);
    scope.querySelectorAll("select[data-optgroup-follows]").forEach(initOptgroupFollower);
    scope.querySelectorAll("input[data-check-all]").forEach(initCheckAll);
  }

  function dropEmptyParameters(event) {
    var form = event.detail.elt && event.detail.elt.closest && event.detail.elt.closest("form");
    if (!form || !form.hasAttribute("data-drop-empty")) {
      return;
    }
    var params = event.detail.parameters;
    var keys = [];
    params.forEach(function (value, key) {
      if (keys.indexOf(key) < 0) {
        keys.push(key);
      }
    });
    keys.forEach(function (key) {
      var values = params.getAll(key).filter(function (value) {
        return value !== "";
      });
      params.delete(key);
      values.forEach(function (value) {
        params.append(key, value);
      });
    });
  }

  function start() {
    document.body.addEventListener("htmx:configRequest", dropEmptyParameters);
    if (window.htmx) {
      // htmx.onLoad runs for the document and again for every swapped-in fragment.
      window.htmx.onLoad(init);
    } else {
      init(document);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
