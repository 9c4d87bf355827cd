// Placeholder until the view is written: says so on screen.
import { el } from './dom.js';

export class PromoteView {
  constructor(node, ctx) { this.node = node; this.ctx = ctx; }
  update() { this.node.replaceChildren(el('p', { className: 'empty' }, 'This view is being written.')); }
}
