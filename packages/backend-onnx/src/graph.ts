import {
  AttributeType,
  DataType,
  type AttributeProto,
  type GraphProto,
  type NodeProto,
  type TensorProto,
  type ValueInfoProto,
} from './proto.js';

/** A dimension of a graph input or output: a size, or a symbolic name such as `batch`. */
export type Dim = number | string;

export type ElementType = 'float32' | 'int64' | 'bool';

const ELEMENT_TYPES: Readonly<Record<ElementType, number>> = {
  float32: DataType.FLOAT,
  int64: DataType.INT64,
  bool: DataType.BOOL,
};

/** Attribute values by kind; numbers are explicit about int vs float because ONNX is. */
export type Attribute =
  | { readonly int: number }
  | { readonly float: number }
  | { readonly string: string }
  | { readonly ints: readonly number[] }
  | { readonly floats: readonly number[] }
  | { readonly strings: readonly string[] }
  | { readonly graph: GraphProto };

export type Attributes = Readonly<Record<string, Attribute>>;

/** Attribute strings here are ONNX names (`Tanh`, `reverse`, ...), all ASCII. */
function ascii(text: string): Uint8Array {
  if (!/^[\x20-\x7e]*$/.test(text)) throw new Error(`graph: attribute string "${text}" is not printable ASCII`);
  return Uint8Array.from(text, (ch) => ch.charCodeAt(0));
}

function toAttributeProto(name: string, value: Attribute): AttributeProto {
  if ('int' in value) return { name, type: AttributeType.INT, i: value.int };
  if ('float' in value) return { name, type: AttributeType.FLOAT, f: value.float };
  if ('string' in value) return { name, type: AttributeType.STRING, s: ascii(value.string) };
  if ('ints' in value) return { name, type: AttributeType.INTS, ints: [...value.ints] };
  if ('floats' in value) return { name, type: AttributeType.FLOATS, floats: [...value.floats] };
  if ('strings' in value) return { name, type: AttributeType.STRINGS, strings: value.strings.map(ascii) };
  return { name, type: AttributeType.GRAPH, g: value.graph };
}

export function valueInfo(name: string, type: ElementType, shape?: readonly Dim[], docString?: string): ValueInfoProto {
  const dims = shape?.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d }));
  return {
    name,
    type: { tensorType: { elemType: ELEMENT_TYPES[type], ...(dims ? { shape: { dim: dims } } : {}) } },
    ...(docString ? { docString } : {}),
  };
}

/**
 * State shared by a graph and all its subgraphs (If branches, Scan bodies): one name space, so a
 * subgraph can read any outer value by name without shadowing, and one initializer list, since
 * ONNX subgraphs may read the main graph's initializers.
 */
class GraphScope {
  readonly initializers: TensorProto[] = [];
  private readonly used = new Set<string>();
  private readonly constants = new Map<string, string>();

  reserve(name: string): string {
    if (this.used.has(name)) throw new Error(`graph: value name "${name}" is already taken`);
    this.used.add(name);
    return name;
  }

  unique(base: string): string {
    let name = base;
    for (let i = 1; this.used.has(name); i++) name = `${base}_${i}`;
    this.used.add(name);
    return name;
  }

  /** Small constants are cached by value so each appears once in the file. */
  constant(key: string, make: (name: string) => TensorProto, base: string): string {
    const cached = this.constants.get(key);
    if (cached) return cached;
    const name = this.unique(base);
    this.initializers.push(make(name));
    this.constants.set(key, name);
    return name;
  }
}

/**
 * Appends ONNX nodes to one graph. Values are referred to by name (strings); every method that
 * creates a value returns its name. Weights and constants become initializers of the main graph.
 */
export class GraphBuilder {
  readonly nodes: NodeProto[] = [];
  /** Values exposed as graph outputs, by their current names. */
  private readonly exposed = new Set<string>();
  /** Values `expose` renamed: original name → output name. */
  private readonly renamed = new Map<string, string>();
  private readonly scope: GraphScope;

  constructor(scope?: GraphScope) {
    this.scope = scope ?? new GraphScope();
  }

  /** A builder for a subgraph that shares this graph's names and initializers. */
  subgraph(): GraphBuilder {
    return new GraphBuilder(this.scope);
  }

  /** Claims an exact name (graph inputs and outputs have documented names). */
  reserve(name: string): string {
    return this.scope.reserve(name);
  }

  unique(base: string): string {
    return this.scope.unique(base);
  }

  /** Adds a node with one output and returns the output's name. */
  op(opType: string, inputs: readonly string[], attributes: Attributes = {}, outputBase = opType.toLowerCase()): string {
    return this.opN(opType, inputs, 1, attributes, outputBase)[0];
  }

  /** Adds a node with `outputCount` outputs (or the given output names; `''` skips an optional output). */
  opN(
    opType: string,
    inputs: readonly string[],
    outputs: number | readonly string[],
    attributes: Attributes = {},
    outputBase = opType.toLowerCase(),
  ): string[] {
    const outputNames = typeof outputs === 'number' ? Array.from({ length: outputs }, () => this.unique(outputBase)) : [...outputs];
    this.nodes.push({
      opType,
      name: this.unique(`${opType}_node`),
      input: [...inputs],
      output: outputNames,
      attribute: Object.entries(attributes).map(([name, value]) => toAttributeProto(name, value)),
    });
    return outputNames;
  }

  /** A float32 initializer holding `data` (stored as raw little-endian bytes). */
  weight(base: string, data: Float32Array, dims: readonly number[]): string {
    const name = this.unique(base);
    this.scope.initializers.push(floatTensor(name, data, dims));
    return name;
  }

  floats(values: readonly number[], dims: readonly number[] = [values.length]): string {
    const data = Float32Array.from(values);
    return this.scope.constant(`f:${dims.join(',')}:${values.join(',')}`, (name) => floatTensor(name, data, dims), 'const_f');
  }

  scalar(value: number): string {
    return this.floats([value], []);
  }

  ints(values: readonly number[], dims: readonly number[] = [values.length]): string {
    return this.scope.constant(
      `i:${dims.join(',')}:${values.join(',')}`,
      (name) => ({ name, dims: [...dims], dataType: DataType.INT64, int64Data: [...values] }),
      'const_i',
    );
  }

  /**
   * Makes `value` an output of this graph and returns the output's name: `name` when given (a
   * reserved, documented name), else the value's own. A value this graph computes is renamed in
   * place; only a value it does not compute, one other nodes also read, or one already exposed
   * costs an Identity node (which copies: ONNX Runtime does not alias a graph output).
   */
  expose(value: string, name?: string): string {
    const current = this.renamed.get(value) ?? value;
    const producer = this.nodes.find((n) => n.output?.includes(current));
    // A value other nodes still read is copied too: onnxruntime-web's WebGPU provider returned wrong
    // values for an If branch output renamed in place while another node of the branch consumed it.
    const consumed = this.nodes.some((n) => n.input?.includes(current));
    if (!producer || consumed || this.exposed.has(current)) {
      const copy = name ?? this.unique(`${current}_out`);
      this.opN('Identity', [current], [copy]);
      this.exposed.add(copy);
      return copy;
    }
    if (name && name !== current) {
      renameValue(this.nodes, current, name);
      this.renamed.set(value, name);
    }
    this.exposed.add(name ?? current);
    return name ?? current;
  }

  /**
   * The input of the `Squeeze` that made `value`, when nothing else reads either: a caller that
   * relabels the dimensions itself can take that instead and save ONNX Runtime a node. Otherwise
   * `value`.
   */
  withoutSqueeze(value: string): string {
    const index = this.nodes.findIndex((n) => n.opType === 'Squeeze' && n.output?.[0] === value);
    if (index < 0) return value;
    const squeezed = this.nodes[index].input![0];
    if (readCount(this.nodes, value) > 0 || readCount(this.nodes, squeezed) > 1) return value;
    this.nodes.splice(index, 1);
    return squeezed;
  }

  /**
   * Clears the outputs of `opTypes` nodes (operators whose outputs are all optional, such as
   * LSTM) that no node and no graph output reads: ONNX Runtime fills every output named.
   */
  dropUnreadOutputs(opTypes: readonly string[], graphOutputs: readonly string[]): void {
    const read = new Set(graphOutputs);
    collectReads(this.nodes, read);
    for (const node of this.nodes) {
      if (!opTypes.includes(node.opType ?? '')) continue;
      const outputs = (node.output ?? []).map((o) => (read.has(o) ? o : ''));
      while (outputs.length > 1 && outputs[outputs.length - 1] === '') outputs.pop();
      node.output = outputs;
    }
  }

  /** The main graph, holding every initializer made through this builder or its subgraphs. */
  toGraph(name: string, inputs: readonly ValueInfoProto[], outputs: readonly ValueInfoProto[], docString?: string): GraphProto {
    return {
      name,
      node: this.nodes,
      initializer: this.scope.initializers,
      input: [...inputs],
      output: [...outputs],
      ...(docString ? { docString } : {}),
    };
  }

  /** A subgraph (If branch, Scan body); it reads outer values and initializers by name. */
  toSubgraph(name: string, inputs: readonly ValueInfoProto[], outputs: readonly ValueInfoProto[]): GraphProto {
    return { name, node: this.nodes, input: [...inputs], output: [...outputs] };
  }
}

/** Every value `nodes` (and their subgraphs) read, added to `read`. */
function collectReads(nodes: readonly NodeProto[], read: Set<string>): void {
  for (const node of nodes) {
    for (const input of node.input ?? []) read.add(input);
    for (const attribute of node.attribute ?? []) {
      if (attribute.g?.node) collectReads(attribute.g.node, read);
      if (attribute.g?.output) for (const output of attribute.g.output) read.add(output.name ?? '');
    }
  }
}

/** How many node inputs (and subgraph outputs) in `nodes` read `name`. */
function readCount(nodes: readonly NodeProto[], name: string): number {
  let count = 0;
  for (const node of nodes) {
    count += (node.input ?? []).filter((input) => input === name).length;
    for (const attribute of node.attribute ?? []) {
      if (attribute.g?.node) count += readCount(attribute.g.node, name);
      count += (attribute.g?.output ?? []).filter((output) => output.name === name).length;
    }
  }
  return count;
}

/** Renames a value everywhere in `nodes`, subgraphs included (they may read it from the outer scope). */
function renameValue(nodes: readonly NodeProto[], from: string, to: string): void {
  for (const node of nodes) {
    node.input = node.input?.map((v) => (v === from ? to : v));
    node.output = node.output?.map((v) => (v === from ? to : v));
    for (const attribute of node.attribute ?? []) {
      if (attribute.g?.node) renameValue(attribute.g.node, from, to);
    }
  }
}

function floatTensor(name: string, data: Float32Array, dims: readonly number[]): TensorProto {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  // rawData is little-endian by the ONNX spec; every platform ONNX Runtime runs on is too.
  return { name, dims: [...dims], dataType: DataType.FLOAT, rawData: Uint8Array.from(bytes) };
}
