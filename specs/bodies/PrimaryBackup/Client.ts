// The client's Accept as a body program: remember the reply a quorum gave.
import type { ClientBodies } from './mommie.js';

export default {
  Accept(ctx) {
    ctx.state.accepted = [...ctx.state.accepted, ctx.binding.r];
  },
} satisfies ClientBodies;
