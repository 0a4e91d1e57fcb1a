/*
 * Floor plans and building stacks (registry/includes/plan_card.html, stack_card.html): the server
 * draws the SVG with every room's colour in each mode (data-c-<mode>); this script switches modes
 * without a request, shows the room card on hover, zooms and pans (wheel, drag, pinch, buttons)
 * and exports the plan as PNG (SVG → canvas, nothing fetched). Without it the page still works:
 * mode links reload, rooms are links, <title> shows the card.
 */
(function () {
  "use strict";

  var MIN_SCALE = 1, MAX_SCALE = 40;

  function text(tag, className, value) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    node.textContent = value;
    return node;
  }

  function setMode(card, mode) {
    card.querySelectorAll(".gf-plan-room").forEach(function (room) {
      var color = room.getAttribute("data-c-" + mode);
      var path = room.querySelector("path");
      if (color && path) { path.setAttribute("fill", color); }
    });
    card.querySelectorAll(".gf-plan-excess").forEach(function (label) {
      if (mode === "compliance") { label.removeAttribute("display"); } else { label.setAttribute("display", "none"); }
    });
    card.querySelectorAll("[data-plan-legend]").forEach(function (legend) {
      legend.hidden = legend.getAttribute("data-plan-legend") !== mode;
    });
    card.querySelectorAll("[data-plan-mode]").forEach(function (link) {
      var on = link.getAttribute("data-plan-mode") === mode;
      link.classList.toggle("active", on);
      if (on) { link.setAttribute("aria-current", "true"); } else { link.removeAttribute("aria-current"); }
    });
    card.querySelectorAll("[data-plan-link]").forEach(function (link) {
      var url = new URL(link.href, window.location.href);
      url.searchParams.set("mode", mode);
      link.href = url.pathname + url.search;
    });
    card.dataset.mode = mode;
    var page = new URL(window.location.href);
    page.searchParams.set("mode", mode);
    window.history.replaceState(null, "", page.pathname + page.search + page.hash);
  }

  function hoverCard(box, room) {
    box.textContent = "";
    var d = room.dataset;
    box.appendChild(text("div", "fw-bold", d.number + (d.name ? " " + d.name : "")));
    box.appendChild(text("div", "", "使用面积：" + d.area + " m²"));
    box.appendChild(text("div", "", "使用单位：" + (d.org || "—")));
    box.appendChild(text("div", "", "在用人员：" + (d.people === "0" ? "无" : d.people + " 人（" + d.occupants + "）")));
    if (d.excess) { box.appendChild(text("div", "text-danger fw-bold", "超标面积：" + d.excess + " m²")); }
  }

  function initHover(card, viewport) {
    var box = card.querySelector("[data-plan-hover]");
    if (!box) { return; }
    viewport.addEventListener("pointerover", function (event) {
      var room = event.target.closest(".gf-plan-room");
      if (!room) { return; }
      hoverCard(box, room);
      box.hidden = false;
    });
    viewport.addEventListener("pointermove", function (event) {
      if (box.hidden) { return; }
      var frame = viewport.getBoundingClientRect();
      var x = event.clientX - frame.left + 14, y = event.clientY - frame.top + 14;
      if (x + box.offsetWidth > frame.width) { x = Math.max(0, x - box.offsetWidth - 28); }
      if (y + box.offsetHeight > frame.height) { y = Math.max(0, y - box.offsetHeight - 28); }
      box.style.left = x + "px";
      box.style.top = y + "px";
    });
    viewport.addEventListener("pointerout", function (event) {
      var room = event.target.closest(".gf-plan-room");
      if (room && !room.contains(event.relatedTarget)) { box.hidden = true; }
    });
  }

  // Zoom and pan by changing the viewBox; a drag does not count as a click on a room.
  function initZoom(card, svg) {
    var full = svg.viewBox.baseVal;
    var home = { x: full.x, y: full.y, w: full.width, h: full.height };
    var view = { x: home.x, y: home.y, w: home.w, h: home.h };
    function apply() {
      svg.setAttribute("viewBox", view.x + " " + view.y + " " + view.w + " " + view.h);
      // Zoomed in, a finger pans and pinches the plan; at full view it scrolls the page.
      svg.classList.toggle("gf-plan-zoomed", view.w < home.w * 0.999);
    }
    function zoom(factor, cx, cy) {
      var scale = home.w / (view.w / factor);
      if (scale < MIN_SCALE) { factor = view.w / home.w; }
      if (scale > MAX_SCALE) { factor = view.w / (home.w / MAX_SCALE); }
      if (cx === undefined) { cx = view.x + view.w / 2; cy = view.y + view.h / 2; }
      view.x = cx - (cx - view.x) / factor;
      view.y = cy - (cy - view.y) / factor;
      view.w /= factor; view.h /= factor;
      apply();
    }
    function toPlan(clientX, clientY) {
      var point = svg.createSVGPoint();
      point.x = clientX; point.y = clientY;
      var matrix = svg.getScreenCTM();
      return matrix ? point.matrixTransform(matrix.inverse()) : { x: view.x, y: view.y };
    }
    svg.addEventListener("wheel", function (event) {
      event.preventDefault();
      var at = toPlan(event.clientX, event.clientY);
      zoom(event.deltaY < 0 ? 1.25 : 0.8, at.x, at.y);
    }, { passive: false });
    var pointers = {}, dragged = false, pinch = null;
    svg.addEventListener("pointerdown", function (event) {
      pointers[event.pointerId] = { x: event.clientX, y: event.clientY };
      dragged = false;
      var ids = Object.keys(pointers);
      if (ids.length === 2) {
        var a = pointers[ids[0]], b = pointers[ids[1]];
        pinch = Math.hypot(a.x - b.x, a.y - b.y);
      }
    });
    svg.addEventListener("pointermove", function (event) {
      var last = pointers[event.pointerId];
      if (!last) { return; }
      var ids = Object.keys(pointers);
      if (ids.length === 2 && pinch) {
        pointers[event.pointerId] = { x: event.clientX, y: event.clientY };
        var a = pointers[ids[0]], b = pointers[ids[1]];
        var distance = Math.hypot(a.x - b.x, a.y - b.y);
        var middle = toPlan((a.x + b.x) / 2, (a.y + b.y) / 2);
        if (distance > 0) { zoom(distance / pinch, middle.x, middle.y); pinch = distance; }
        dragged = true;
        return;
      }
      var dx = event.clientX - last.x, dy = event.clientY - last.y;
      if (!dragged && Math.abs(dx) + Math.abs(dy) < 4) { return; }
      if (!dragged && view.w >= home.w) { return; }  // nothing to pan at full view: let the page scroll
      dragged = true;
      svg.setPointerCapture(event.pointerId);
      var ratio = view.w / svg.getBoundingClientRect().width;
      view.x -= dx * ratio; view.y -= dy * ratio;
      pointers[event.pointerId] = { x: event.clientX, y: event.clientY };
      apply();
    });
    function release(event) {
      delete pointers[event.pointerId];
      if (Object.keys(pointers).length < 2) { pinch = null; }
    }
    svg.addEventListener("pointerup", release);
    svg.addEventListener("pointercancel", release);
    svg.addEventListener("click", function (event) {
      if (dragged) { event.preventDefault(); event.stopPropagation(); dragged = false; }
    }, true);
    card.querySelectorAll("[data-plan-zoom]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        var what = button.getAttribute("data-plan-zoom");
        if (what === "in") { zoom(1.5); }
        else if (what === "out") { zoom(1 / 1.5); }
        else { view = { x: home.x, y: home.y, w: home.w, h: home.h }; apply(); }
      });
    });
  }

  // PNG: the SVG as a data: image (allowed by the CSP's img-src) drawn on a canvas.
  function exportPng(card, svg) {
    var copy = svg.cloneNode(true);
    var box = svg.viewBox.baseVal;
    var full = (copy.getAttribute("data-home") || "").split(" ");
    if (full.length === 4) { copy.setAttribute("viewBox", full.join(" ")); box = { width: +full[2], height: +full[3] }; }
    var width = 2000, height = Math.round(width * box.height / box.width);
    copy.setAttribute("width", width);
    copy.setAttribute("height", height);
    copy.removeAttribute("class");
    var source = new XMLSerializer().serializeToString(copy);
    var image = new Image();
    image.onload = function () {
      var canvas = document.createElement("canvas");
      canvas.width = width; canvas.height = height;
      var context = canvas.getContext("2d");
      context.fillStyle = "#ffffff";
      context.fillRect(0, 0, width, height);
      context.drawImage(image, 0, 0, width, height);
      var link = document.createElement("a");
      link.download = (card.dataset.planName || "平面图") + ".png";
      link.href = canvas.toDataURL("image/png");
      document.body.appendChild(link);
      link.click();
      link.remove();
    };
    image.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(source);
  }

  function init(card) {
    var svg = card.querySelector("svg[data-plan-svg]");
    var viewport = card.querySelector("[data-plan-viewport]");
    if (!svg || !viewport) { return; }
    svg.setAttribute("data-home", svg.getAttribute("viewBox"));
    card.querySelectorAll("[data-plan-mode]").forEach(function (link) {
      link.addEventListener("click", function (event) {
        event.preventDefault();
        setMode(card, link.getAttribute("data-plan-mode"));
      });
    });
    initHover(card, viewport);
    initZoom(card, svg);
    var png = card.querySelector("[data-plan-png]");
    if (png) {
      png.hidden = false;
      png.addEventListener("click", function () { exportPng(card, svg); });
    }
  }

  function start() {
    document.querySelectorAll("[data-plan]").forEach(function (card) {
      if (!card.dataset.planReady) { card.dataset.planReady = "1"; init(card); }
    });
    if (document.body.hasAttribute("data-plan-autoprint")) { window.setTimeout(function () { window.print(); }, 300); }
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
