// GLSL ES 3.00 sources of the point renderer's two programs: round dots and image sprites. Both read the same
// vertex buffers: position (vec3; z = 0 for 2-D maps), colour (RGBA8, normalised) and flags (one byte: 1 = selected,
// 2 = highlighted, 4 = hidden). Output is premultiplied alpha (blend ONE, ONE_MINUS_SRC_ALPHA).
//
// uPass (both programs): 0 = every visible point in its colour (no selection); 1 = the unselected points, grey and
// faint; 2 = the selected points only; 3 = the highlight pass (drawn with an index buffer: bigger, outlined).

const COMMON_VERTEX = `#version 300 es
layout(location = 0) in vec3 aPos;
layout(location = 1) in vec4 aColor;
layout(location = 2) in uint aFlags;
uniform mat4 uMatrix;
uniform float uSize;       // device pixels, at the target's depth in 3-D
uniform float uRefDepth;   // 3-D: clip w of the target; 2-D: 1
uniform float uPersp;      // 1 in 3-D: sizes shrink gently with depth
uniform int uPass;
uniform vec4 uGrey;
uniform float uOpacity;
uniform float uMaxSize;
uniform float uHiScale;
uniform float uHiExtra;
uniform int uFocus;
out vec4 vColor;
out float vSize;
flat out int vKind;

bool culled() {
  bool hidden = (aFlags & 4u) != 0u;
  bool selected = (aFlags & 1u) != 0u;
  return hidden || (uPass == 1 && selected) || (uPass == 2 && !selected);
}

void place() {
  vec4 p = uMatrix * vec4(aPos, 1.0);
  gl_Position = p;
  float s = uSize;
  if (uPersp > 0.5) s *= clamp(sqrt(uRefDepth / max(p.w, 1e-6)), 0.4, 2.5);
  vec4 c = aColor;
  vKind = 0;
  if (uPass == 1) c = uGrey;
  if (uPass == 3) {
    s = s * uHiScale + uHiExtra;
    vKind = gl_VertexID == uFocus ? 2 : 1;
  } else {
    c.a *= uOpacity;
  }
  gl_PointSize = clamp(s, 1.0, uMaxSize);
  vSize = gl_PointSize;
  vColor = c;
}
`;

export const DOT_VERTEX = `${COMMON_VERTEX}
void main() {
  if (culled()) { gl_Position = vec4(2.0, 2.0, 2.0, 1.0); gl_PointSize = 0.0; return; }
  place();
}
`;

export const DOT_FRAGMENT = `#version 300 es
precision highp float;
in vec4 vColor;
in float vSize;
flat in int vKind;
uniform vec4 uOutline;     // highlight ring (straight alpha)
uniform vec4 uFocusColor;  // focus ring
uniform float uRing;       // ring width, device pixels
uniform float uCutoff;     // 3-D: fragments fainter than this are dropped (they would write depth)
out vec4 outColor;
void main() {
  float R = vSize * 0.5;
  float r = length(gl_PointCoord * 2.0 - 1.0) * R;   // device pixels from the centre
  float cover = clamp(R - r + 0.5, 0.0, 1.0);       // one-pixel antialiased edge
  if (cover <= 0.0) discard;
  vec3 rgb = vColor.rgb;
  if (vKind > 0) {
    vec4 ring = vKind == 2 ? uFocusColor : uOutline;
    float w = vKind == 2 ? uRing * 1.6 : uRing;
    float t = clamp(r - (R - w) + 0.5, 0.0, 1.0);
    rgb = mix(rgb, ring.rgb, t);
  }
  float a = vColor.a * cover;
  if (a < uCutoff) discard;
  outColor = vec4(rgb * a, a);
}
`;

export const SPRITE_VERTEX = `${COMMON_VERTEX}
uniform int uCols;       // cells per atlas row
uniform int uPerLayer;   // cells per atlas layer
uniform vec2 uCellSize;  // image width, height (texels)
flat out vec3 vCell;     // texel origin of the point's cell, and its layer
void main() {
  if (culled()) { gl_Position = vec4(2.0, 2.0, 2.0, 1.0); gl_PointSize = 0.0; return; }
  place();
  int id = gl_VertexID;
  int layer = id / uPerLayer;
  int rem = id - layer * uPerLayer;
  int row = rem / uCols;
  int col = rem - row * uCols;
  vCell = vec3(float(col) * uCellSize.x, float(row) * uCellSize.y, float(layer));
}
`;

export const SPRITE_FRAGMENT = `#version 300 es
precision highp float;
precision highp sampler2DArray;
in vec4 vColor;
in float vSize;
flat in int vKind;
flat in vec3 vCell;
uniform sampler2DArray uAtlas;
uniform vec2 uCellSize;
uniform vec2 uAtlasSize;
uniform vec4 uOutline;
uniform vec4 uFocusColor;
uniform float uRing;
uniform float uBorder;   // coloured frame, device pixels
uniform float uCutoff;
out vec4 outColor;
void main() {
  // the image keeps its aspect ratio inside the square point
  float aspect = uCellSize.x / uCellSize.y;
  vec2 pc = gl_PointCoord;
  vec2 q = aspect >= 1.0 ? vec2(pc.x, 0.5 + (pc.y - 0.5) * aspect) : vec2(0.5 + (pc.x - 0.5) / aspect, pc.y);
  if (q.x < 0.0 || q.x > 1.0 || q.y < 0.0 || q.y > 1.0) discard;
  vec2 rect = vSize * (aspect >= 1.0 ? vec2(1.0, 1.0 / aspect) : vec2(aspect, 1.0));   // device pixels
  vec2 d = min(q, 1.0 - q) * rect;
  float edge = min(d.x, d.y);   // device pixels to the sprite's edge
  vec2 texel = vCell.xy + clamp(q * uCellSize, vec2(0.5), uCellSize - 0.5);
  float g = texture(uAtlas, vec3(texel / uAtlasSize, vCell.z)).r;
  // ink: the image's grey, tinted halfway towards the point's colour; a frame in the point's colour
  vec3 rgb = vec3(g) * mix(vec3(1.0), vColor.rgb, 0.45);
  if (edge < uBorder) rgb = vColor.rgb;
  if (vKind > 0) {
    vec4 ring = vKind == 2 ? uFocusColor : uOutline;
    if (edge < uRing * (vKind == 2 ? 1.6 : 1.0)) rgb = ring.rgb;
  }
  float a = vColor.a;
  if (a < uCutoff) discard;
  outColor = vec4(rgb * a, a);
}
`;
