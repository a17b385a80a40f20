"""The page's own drawing code for the HTML export: plain canvas calls, no external file."""

# Hexagons and focal factors with their label inside, as the window draws them. Plain
# canvas calls only; no external resource. vis calls the renderer for every frame.
CUSTOM_SHAPES_JS = """
  function ipsLines(ctx, text, maxWidth) {
    var words = String(text).split(/\\s+/), lines = [], line = "";
    words.forEach(function (word) {
      var next = line ? line + " " + word : word;
      if (line && ctx.measureText(next).width > maxWidth) { lines.push(line); line = word; }
      else { line = next; }
    });
    lines.push(line);
    return lines;
  }
  function ipsRoundRect(ctx, x, y, w, h, r) {
    ctx.beginPath();
    ctx.moveTo(x + r, y);
    ctx.arcTo(x + w, y, x + w, y + h, r);
    ctx.arcTo(x + w, y + h, x, y + h, r);
    ctx.arcTo(x, y + h, x, y, r);
    ctx.arcTo(x, y, x + w, y, r);
    ctx.closePath();
  }
  function ipsRenderer(node) {
    return function (args) {
      var ctx = args.ctx, x = args.x, y = args.y, style = args.style || {};
      ctx.font = "14px arial, sans-serif";
      var lines = ipsLines(ctx, node.ipsLabel, 150);
      var widths = lines.map(function (l) { return ctx.measureText(l).width; });
      var textWidth = Math.max.apply(null, widths);
      var inset = node.ipsShape === "hexagon" ? 16 : 10;
      var w = textWidth + 2 * inset + 8, h = lines.length * 17 + 14;
      var left = x - w / 2, top = y - h / 2;
      return {
        drawNode: function () {
          ctx.save();
          ctx.fillStyle = style.color || node.color.background;
          var active = args.state.selected || args.state.hover;
          var border = style.borderColor || node.color.border;
          ctx.strokeStyle = args.state.selected ? "#000000" : border;
          ctx.lineWidth = (style.borderWidth || 1.5) * (active ? 2 : 1);
          if (node.ipsShape === "hexagon") {
            var d = Math.min(14, w / 4);
            ctx.beginPath();
            ctx.moveTo(left + d, top); ctx.lineTo(left + w - d, top); ctx.lineTo(left + w, y);
            ctx.lineTo(left + w - d, top + h); ctx.lineTo(left + d, top + h); ctx.lineTo(left, y);
            ctx.closePath();
            ctx.fill(); ctx.stroke();
          } else {
            ipsRoundRect(ctx, left, top, w, h, 10); ctx.fill(); ctx.stroke();
            ipsRoundRect(ctx, left + 4, top + 4, w - 8, h - 8, 7); ctx.stroke();
          }
          ctx.fillStyle = (node.font && node.font.color) || "#222222";
          ctx.textAlign = "center";
          ctx.textBaseline = "middle";
          lines.forEach(function (l, i) { ctx.fillText(l, x, top + 7 + 8.5 + i * 17); });
          ctx.restore();
        },
        nodeDimensions: {width: w, height: h}
      };
    };
  }
"""


# Polarity marks drawn on each link as the canvas draws them: a white shape with the sign
# drawn as strokes inside (circle +, square −, diamond ?: told apart without colour). Where
# the middle of a link is on a factor, the mark moves along it. Plain canvas calls only.
MARKS_JS = """
  function ipsMarkPath(ctx, kind, x, y, r) {
    ctx.beginPath();
    if (kind === "square") {
      var a = r * 0.86;
      ctx.rect(x - a, y - a, 2 * a, 2 * a);
    } else if (kind === "diamond") {
      var d = r * 1.18;
      ctx.moveTo(x, y - d); ctx.lineTo(x + d, y); ctx.lineTo(x, y + d); ctx.lineTo(x - d, y);
      ctx.closePath();
    } else {
      ctx.arc(x, y, r, 0, 2 * Math.PI);
    }
  }
  function ipsDrawMark(ctx, edge, x, y, r) {
    ctx.save();
    ipsMarkPath(ctx, edge.ipsMark, x, y, r);
    ctx.fillStyle = "#ffffff";
    ctx.fill();
    ctx.strokeStyle = edge.ipsMarkColor;
    ctx.lineWidth = Math.max(1.2, r * 0.16);
    ctx.setLineDash([]);
    ctx.stroke();
    var arm = r * 0.55;
    ctx.lineWidth = r * 0.3;
    ctx.lineCap = "butt";
    ctx.beginPath();
    if (edge.ipsPolarity === "+" || edge.ipsPolarity === "-") {
      ctx.moveTo(x - arm, y); ctx.lineTo(x + arm, y);
    }
    if (edge.ipsPolarity === "+") { ctx.moveTo(x, y - arm); ctx.lineTo(x, y + arm); }
    ctx.stroke();
    if (edge.ipsPolarity === "?") {
      ctx.fillStyle = edge.ipsMarkColor;
      ctx.font = "bold " + (r * 1.45) + "px sans-serif";
      ctx.textAlign = "center";
      ctx.textBaseline = "middle";
      ctx.fillText("?", x, y + r * 0.05);
    }
    ctx.restore();
  }
  // Factor boxes bucketed on a grid (rebuilt each frame: nodes move when dragged), so
  // "is this point on a factor?" looks at a few boxes even on a 2,000-factor map.
  function ipsBoxGrid(network, r) {
    var cell = 200, grid = {};
    network.body.nodeIndices.forEach(function (id) {
      var node = network.body.nodes[id], shape = node && node.shape;
      if (!shape) { return; }
      // The size the shape is drawn at (a custom-drawn factor's bounding box can lag it).
      var w = shape.width, h = shape.height, box = shape.boundingBox;
      if (w && h) {
        box = {left: node.x - w / 2, right: node.x + w / 2, top: node.y - h / 2,
          bottom: node.y + h / 2};
      }
      if (!box) { return; }
      var b = {left: box.left - r, right: box.right + r, top: box.top - r,
        bottom: box.bottom + r};
      for (var gx = Math.floor(b.left / cell); gx <= Math.floor(b.right / cell); gx++) {
        for (var gy = Math.floor(b.top / cell); gy <= Math.floor(b.bottom / cell); gy++) {
          (grid[gx + "," + gy] = grid[gx + "," + gy] || []).push(b);
        }
      }
    });
    return function (x, y) {
      var boxes = grid[Math.floor(x / cell) + "," + Math.floor(y / cell)] || [];
      return boxes.some(function (b) {
        return x > b.left && x < b.right && y > b.top && y < b.bottom;
      });
    };
  }
  // Where each mark goes, worked out before a frame is drawn: marks clear of every factor
  // are drawn over the links, the others beneath everything (rather than over a label).
  function ipsPlaceMarks(network, edgeList) {
    // Never smaller on screen than a label's letters, whatever the zoom.
    var r = Math.max(9, 7 / network.getScale());
    var onFactor = ipsBoxGrid(network, r), placed = {top: [], beneath: []};
    var positions = null;
    edgeList.forEach(function (e) {
      var edge = network.body.edges[e.id];
      if (!edge || !edge.edgeType || !edge.edgeType.getPoint) {
        positions = positions || network.getPositions();
        var a = positions[e.from], b = positions[e.to];
        if (a && b) { placed.top.push([e, (a.x + b.x) / 2, (a.y + b.y) / 2, r]); }
        return;
      }
      // Near the middle, but not over a factor's label.
      var tries = [0.5, 0.42, 0.58, 0.34, 0.66, 0.26, 0.74];
      for (var i = 0; i < tries.length; i++) {
        var p = edge.edgeType.getPoint(tries[i]);
        if (!onFactor(p.x, p.y)) { placed.top.push([e, p.x, p.y, r]); return; }
      }
      // Too short to carry a mark clear of its factors: beside the middle of the line.
      var mid = edge.edgeType.getPoint(0.5), p0 = edge.edgeType.getPoint(0.45);
      var p1 = edge.edgeType.getPoint(0.55), len = Math.hypot(p1.x - p0.x, p1.y - p0.y) || 1;
      var nx = (p0.y - p1.y) / len, ny = (p1.x - p0.x) / len, off = r + 4;
      for (var side = -1; side <= 1; side += 2) {
        var bx = mid.x + side * nx * off, by = mid.y + side * ny * off;
        if (!onFactor(bx, by)) { placed.top.push([e, bx, by, r]); return; }
      }
      placed.beneath.push([e, mid.x, mid.y, r]);
    });
    return placed;
  }
  function ipsDrawMarks(ctx, marks) {
    marks.forEach(function (m) { ipsDrawMark(ctx, m[0], m[1], m[2], m[3]); });
  }
"""
