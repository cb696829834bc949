// Moves @lezer syntax trees between threads. A Tree is a class graph (NodeType, TreeBuffer, NodeSet) that
// structured cloning would flatten into plain objects, so a worker sends the shape (node type ids, positions,
// lengths and the raw Uint16Array buffers) and the receiver rebuilds real Trees against its own copy of the
// grammar's NodeSet. Both sides use the same @lezer/python grammar, so type ids agree.
// Per-node props (incremental-parse bookkeeping) are not carried: a rebuilt tree is for reading, not re-parsing.
import { Tree, TreeBuffer, type NodeSet } from '@lezer/common';

export type PortableTree =
  | { kind: 'tree'; type: number; children: PortableTree[]; positions: readonly number[]; length: number }
  | { kind: 'buffer'; buffer: Uint16Array; length: number };

export function toPortable(tree: Tree | TreeBuffer): PortableTree {
  if (tree instanceof TreeBuffer) return { kind: 'buffer', buffer: tree.buffer, length: tree.length };
  return { kind: 'tree', type: tree.type.id, children: tree.children.map(toPortable), positions: tree.positions, length: tree.length };
}

export function fromPortable(portable: PortableTree, nodeSet: NodeSet): Tree {
  const rebuilt = rebuild(portable, nodeSet);
  // A top-level buffer never happens for a parse result, but a Tree is what callers need.
  return rebuilt instanceof Tree ? rebuilt : new Tree(nodeSet.types[0]!, [rebuilt], [0], rebuilt.length);
}

function rebuild(portable: PortableTree, nodeSet: NodeSet): Tree | TreeBuffer {
  if (portable.kind === 'buffer') return new TreeBuffer(portable.buffer, portable.length, nodeSet);
  const type = nodeSet.types[portable.type];
  if (!type) throw new Error(`unknown node type id ${portable.type}: the worker parsed with another grammar`);
  return new Tree(type, portable.children.map((child) => rebuild(child, nodeSet)), portable.positions, portable.length);
}
