/*
 * Maps (Leaflet + markercluster, served from static/vendor): every element with data-map="<id>" is
 * drawn from the JSON in <script type="application/json" id="<id>"> (Django's json_script). The
 * spec is described in gongfang/framework/maps.py. Offline by default: without spec.tiles no tile
 * is requested; the map is a plain background with the spec's boundaries and region labels.
 * Coordinates in the spec are WGS84; for a GCJ-02 tile source they are converted here.
 * Circle markers and div icons only: Leaflet's default marker images are not needed.
 */
(function () {
  "use strict";

  var A = 6378245.0, EE = 0.00669342162296594323;

  function outsideChina(lat, lng) {
    return !(lng >= 72.004 && lng <= 137.8347 && lat >= 0.8293 && lat <= 55.8271);
  }

  // The same formula as gongfang/framework/maps.py (tested there).
  function wgs84ToGcj02(lat, lng) {
    if (outsideChina(lat, lng)) { return [lat, lng]; }
    var x = lng - 105.0, y = lat - 35.0, PI = Math.PI;
    var dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
    dlat += (20.0 * Math.sin(6.0 * x * PI) + 20.0 * Math.sin(2.0 * x * PI)) * 2.0 / 3.0;
    dlat += (20.0 * Math.sin(y * PI) + 40.0 * Math.sin(y / 3.0 * PI)) * 2.0 / 3.0;
    dlat += (160.0 * Math.sin(y / 12.0 * PI) + 320 * Math.sin(y * PI / 30.0)) * 2.0 / 3.0;
    var dlng = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
    dlng += (20.0 * Math.sin(6.0 * x * PI) + 20.0 * Math.sin(2.0 * x * PI)) * 2.0 / 3.0;
    dlng += (20.0 * Math.sin(x * PI) + 40.0 * Math.sin(x / 3.0 * PI)) * 2.0 / 3.0;
    dlng += (150.0 * Math.sin(x / 12.0 * PI) + 300.0 * Math.sin(x / 30.0 * PI)) * 2.0 / 3.0;
    var rad = lat / 180.0 * PI, magic = 1 - EE * Math.sin(rad) * Math.sin(rad), sq = Math.sqrt(magic);
    dlat = (dlat * 180.0) / ((A * (1 - EE)) / (magic * sq) * PI);
    dlng = (dlng * 180.0) / (A / sq * Math.cos(rad) * PI);
    return [lat + dlat, lng + dlng];
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function localTime(epoch) {
    var d = new Date(epoch * 1000);
    function two(n) { return (n < 10 ? "0" : "") + n; }
    return d.getFullYear() + "-" + two(d.getMonth() + 1) + "-" + two(d.getDate()) + " " +
      two(d.getHours()) + ":" + two(d.getMinutes());
  }

  function legendControl(items) {
    var control = L.control({ position: "bottomright" });
    control.onAdd = function () {
      var box = el("div", "gf-map-legend");
      items.forEach(function (item) {
        var row = el("div", "gf-map-legend-row");
        var swatch = el("span", "gf-map-swatch");
        swatch.style.background = item.color;
        row.appendChild(swatch);
        row.appendChild(el("span", "", item.label));
        box.appendChild(row);
      });
      return box;
    };
    return control;
  }

  // A track with times: a slider and a play button move a marker along it.
  function playbackControl(map, track, latlngs) {
    var times = track.times;
    var marker = L.circleMarker(latlngs[0], {
      radius: 7, color: "#fff", weight: 2, fillColor: track.color || "#d63939", fillOpacity: 1
    }).addTo(map);
    var control = L.control({ position: "bottomleft" });
    control.onAdd = function () {
      var box = el("div", "gf-map-playback");
      var button = el("button", "btn btn-sm", "播放");
      button.type = "button";
      var slider = el("input", "form-range");
      slider.type = "range"; slider.min = 0; slider.max = latlngs.length - 1; slider.value = 0;
      slider.setAttribute("aria-label", (track.label || "轨迹") + " 回放位置");
      var label = el("span", "gf-map-playback-time", localTime(times[0]));
      var timer = null;
      function show(i) {
        slider.value = i;
        marker.setLatLng(latlngs[i]);
        label.textContent = localTime(times[i]);
      }
      slider.addEventListener("input", function () { show(parseInt(slider.value, 10)); });
      button.addEventListener("click", function () {
        if (timer) { clearInterval(timer); timer = null; button.textContent = "播放"; return; }
        button.textContent = "暂停";
        timer = setInterval(function () {
          var i = parseInt(slider.value, 10) + 1;
          if (i >= latlngs.length) { clearInterval(timer); timer = null; button.textContent = "播放"; return; }
          show(i);
        }, 200);
      });
      box.appendChild(button); box.appendChild(slider); box.appendChild(label);
      L.DomEvent.disableClickPropagation(box);
      return box;
    };
    control.addTo(map);
  }

  function openCard(map, latlng, point) {
    var popup = L.popup({ maxWidth: 320 }).setLatLng(latlng).setContent("正在加载…").openOn(map);
    fetch(point.card_url, { headers: { "HX-Request": "true" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.text();
      })
      .then(function (html) {
        popup.setContent(html);
        if (window.htmx) { window.htmx.process(popup.getElement()); }
      })
      .catch(function () { popup.setContent("加载失败，请稍后重试。"); });
  }

  function draw(container) {
    var source = document.getElementById(container.dataset.map);
    if (!source || typeof L === "undefined") { return null; }
    var spec = JSON.parse(source.textContent);
    container.style.height = (parseInt(container.dataset.height, 10) || 480) + "px";
    var tiles = spec.tiles || null;
    var gcj = tiles && tiles.crs === "gcj02";
    function ll(lat, lng) { return gcj ? wgs84ToGcj02(lat, lng) : [lat, lng]; }

    var map = L.map(container, { attributionControl: !!tiles, zoomSnap: 0.5, maxZoom: (tiles && tiles.max_zoom) || 18 });
    // A view first: the cluster layer reads the map's zoom when it is added.
    map.setView([35.0, 105.0], 4);
    if (tiles) {
      L.tileLayer(tiles.url, {
        attribution: tiles.attribution || "", subdomains: tiles.subdomains || "abc",
        maxZoom: tiles.max_zoom || 18
      }).addTo(map);
    } else {
      container.classList.add("gf-map-offline");
    }
    var extent = L.latLngBounds([]);

    if (spec.boundaries) {
      fetch(spec.boundaries, { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (!data) { return; }
          L.geoJSON(data, {
            interactive: false,
            coordsToLatLng: function (c) { var p = ll(c[1], c[0]); return L.latLng(p[0], p[1]); },
            style: { color: "#8595ab", weight: 1, fillColor: "#ffffff", fillOpacity: 0.5 }
          }).addTo(map).bringToBack();
        })
        .catch(function () { /* the map works without its boundaries */ });
    }

    // Region names lie under the boundaries' strokes and the points (their own pane).
    map.createPane("gfLabels").style.zIndex = 350;
    (spec.labels || []).forEach(function (label) {
      L.marker(ll(label.lat, label.lng), {
        interactive: false, keyboard: false, pane: "gfLabels",
        icon: L.divIcon({ className: "gf-map-label", html: el("span", "", label.text), iconSize: null })
      }).addTo(map);
    });

    var layer;
    if (spec.cluster && L.markerClusterGroup) {
      layer = L.markerClusterGroup({
        showCoverageOnHover: false, maxClusterRadius: 50,
        iconCreateFunction: function (cluster) {
          var top = null;
          cluster.getAllChildMarkers().forEach(function (m) {
            if (!top || (m.options.rank || 0) > (top.options.rank || 0)) { top = m; }
          });
          var bubble = el("div", "gf-map-cluster-bubble", cluster.getChildCount());
          bubble.style.background = top ? top.options.fillColor : "#1d5fb4";
          return L.divIcon({ className: "gf-map-cluster", html: bubble, iconSize: L.point(36, 36) });
        }
      });
    } else {
      layer = L.featureGroup();
    }
    (spec.points || []).forEach(function (point) {
      var at = ll(point.lat, point.lng);
      var marker = L.circleMarker(at, {
        radius: point.radius || 8, color: "#ffffff", weight: 2,
        fillColor: point.color || "#1d5fb4", fillOpacity: 0.95, rank: point.rank || 0,
        className: "gf-map-point"
      });
      marker.bindTooltip(point.label || "", { direction: "top" });
      marker.on("click", function () {
        if (point.card_url) { openCard(map, marker.getLatLng(), point); }
        else if (point.url) { window.location.href = point.url; }
      });
      layer.addLayer(marker);
      extent.extend(at);
    });
    layer.addTo(map);

    (spec.tracks || []).forEach(function (track) {
      var latlngs = (track.coords || []).map(function (c) { return ll(c[0], c[1]); });
      if (!latlngs.length) { return; }
      var line = L.polyline(latlngs, { color: track.color || "#1d5fb4", weight: 3, opacity: 0.85 }).addTo(map);
      if (track.label) { line.bindTooltip(track.label, { sticky: true }); }
      extent.extend(line.getBounds());
      if (track.times && track.times.length === latlngs.length) { playbackControl(map, track, latlngs); }
    });

    if (spec.legend && spec.legend.length) { legendControl(spec.legend).addTo(map); }

    if (spec.bounds) {
      map.fitBounds([ll(spec.bounds[0][0], spec.bounds[0][1]), ll(spec.bounds[1][0], spec.bounds[1][1])]);
    } else if (extent.isValid()) {
      map.fitBounds(extent.pad(0.1), { maxZoom: 15 });
    }
    return map;
  }

  var maps = {};
  function drawAll(root) {
    (root || document).querySelectorAll("[data-map]").forEach(function (container) {
      if (container.dataset.mapDrawn) { return; }
      container.dataset.mapDrawn = "1";
      var map = draw(container);
      if (map) { maps[container.dataset.map] = map; }
    });
  }

  window.gongfangMaps = { maps: maps, wgs84ToGcj02: wgs84ToGcj02, drawAll: drawAll };
  document.addEventListener("DOMContentLoaded", function () { drawAll(document); });
  document.addEventListener("htmx:afterSettle", function (event) { drawAll(event.target); });
})();
