// The result pane's views, as tabs: the environments' rendered YAML, a
// comparison of two environments, a promotion preview with its history, and
// the Flux clusters. Only the view on screen is brought up to date after an
// edit: a diff or a cluster build nobody looks at is work the keystroke
// would wait for.
//
// A view is an object with `node` (its tab panel) and `update()`; `update`
// is called when the view is shown and after every render while it is.

import { el } from './dom.js';

/**
 * The reply of an engine call made for a view: `await run()`'s `{ok, …}`, or,
 * when the engine panics (a bug), an error saying so, so that the view
 * shows it rather than stays stale.
 */
export async function engineReply(run) {
  try {
    return await run();
  } catch (error) {
    return { ok: false, errors: [{ message: `The engine crashed (${error}); please report the input that caused it.` }] };
  }
}

export class Views {
  /** tablist: the element for the tab buttons; onSwitch(name) after a switch by the user. */
  constructor(tablist, { onSwitch }) {
    this.tablist = tablist;
    this.onSwitch = onSwitch;
    this.views = new Map();
    this.tabs = new Map();
    this.active = 'envs';
    tablist.addEventListener('keydown', (e) => this.arrows(e));
  }

  /**
   * A new tab panel for view `name`, placed after the last one: the tabs are
   * declared once, by the register() calls (src/main.js), in tab order.
   */
  panel(name, description) {
    const last = [...this.views.values()].pop()?.node;
    const node = el('section', { id: `view-${name}`, className: 'view' });
    node.setAttribute('aria-label', description);
    if (last) last.after(node);
    else this.tablist.parentNode.append(node);
    return node;
  }

  /** Adds view `name` with the tab title `label`; its panel is `view.node`. */
  register(name, label, view) {
    const tab = el('button', {
      type: 'button', role: 'tab', id: `tab-${name}`, className: 'tab', tabIndex: -1,
      onclick: () => { this.show(name); this.onSwitch(name); },
    }, label);
    tab.setAttribute('aria-controls', view.node.id);
    tab.setAttribute('aria-selected', 'false');
    view.node.setAttribute('role', 'tabpanel');
    view.node.setAttribute('aria-labelledby', tab.id);
    view.node.hidden = true;
    this.tablist.append(tab);
    this.tabs.set(name, tab);
    this.views.set(name, view);
  }

  show(name) {
    if (!this.views.has(name)) name = 'envs';
    this.active = name;
    for (const [n, tab] of this.tabs) {
      const on = n === name;
      tab.setAttribute('aria-selected', String(on));
      tab.tabIndex = on ? 0 : -1;
      this.views.get(n).node.hidden = !on;
    }
    this.refresh();
  }

  /** Brings the view on screen up to date (after a render). */
  refresh() {
    this.views.get(this.active)?.update();
  }

  /** Left/right arrows move between tabs, as the ARIA tabs pattern has it. */
  arrows(e) {
    if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') return;
    const names = [...this.tabs.keys()];
    const i = names.indexOf(this.active) + (e.key === 'ArrowRight' ? 1 : -1);
    const next = names[(i + names.length) % names.length];
    this.show(next);
    this.onSwitch(next);
    this.tabs.get(next).focus();
    e.preventDefault();
  }
}
