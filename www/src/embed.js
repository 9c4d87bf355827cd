// embed.html: the small playground for an <iframe> in documentation.
// Query options (all optional):
//   preset=fleet-infra     the files of a preset (default when no #s= state)
//   #s=…                   inline state, as the share links of the full page
//   files=a.yaml,b.yaml    the files given a tab (others still take part)
//   readonly=a.yaml|all    files that cannot be edited
//   env=/apps/production   the environment shown
//   diff=apps/staging..apps/production
//                          the diff of two environments shown instead
//   theme=light|dark|auto  (default auto: the reader's system setting)
//   height=400             in px (default: the frame's height)
// The page posts {type: 'overlay-playground:height', height} to its parent
// after each render, so a host may size the frame to the content.

import presets from '../pkg/presets.js';
import { mountMini } from './mini.js';
import { decodeState } from './share.js';

const list = (v) => (v ? v.split(',').map((s) => s.trim().replace(/^\/+/, '')).filter(Boolean) : null);

async function main() {
  const q = new URLSearchParams(location.search);
  const inline = await decodeState(location.hash).catch(() => null);
  const files = inline?.files ?? presets[q.get('preset') ?? 'fleet-infra'] ?? presets['fleet-infra'];
  const ro = q.get('readonly');
  const theme = ['light', 'dark', 'auto'].includes(q.get('theme')) ? q.get('theme') : 'auto';
  document.documentElement.dataset.theme = theme;
  const height = /^\d+$/.test(q.get('height') ?? '') ? `${q.get('height')}px` : '100vh';
  const host = document.getElementById('app');
  const mini = await mountMini(host, {
    files,
    shown: list(q.get('files')) ?? (inline?.current ? [inline.current] : null),
    readonly: ro === 'all' ? true : new Set(list(ro) ?? []),
    env: q.get('env') ?? inline?.env,
    diff: q.get('diff')?.split('..'),
    theme,
    height,
    playgroundUrl: new URL('index.html', location.href).href,
    onResize: () => parent !== window && parent.postMessage({ type: 'overlay-playground:height', height: document.documentElement.scrollHeight }, '*'),
  });
  window.playground = mini;
  document.body.dataset.ready = 'true';
}

main().catch((e) => {
  console.error(e);
  document.getElementById('app').textContent = `The playground could not start: ${e}`;
});
