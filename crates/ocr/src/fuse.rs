//! Folds the elementwise tails that Paddle2ONNX leaves after the convolutions of the
//! PP-OCRv4 models (PP-LCNetV3 blocks), so that ONNX Runtime runs each block as one fused
//! convolution instead of a convolution followed by up to eight passes over its output:
//!
//! - `Conv → Mul(s) → Add(t)` (a learnable affine block) becomes one `Conv` with weights
//!   `s·W` and bias `s·b + t`;
//! - hard-swish exported as `x · Clip(x + 3, 0, 6) / 6` becomes `x · HardSigmoid(x)` with
//!   α = 1/6 and β = 1/2, an activation ONNX Runtime fuses into the convolution before it;
//! - `Mul(s) → Add(t) → Conv` whose kernel is 1×1, unpadded and ungrouped becomes that
//!   `Conv` with weights `s·W` and bias `b + t·ΣW`.
//!
//! Each rewrite computes the same function up to float rounding. Only scalars and weights
//! held in `Constant` nodes (as raw float data) are folded, and only when nothing else reads
//! the values changed; any other graph passes through unchanged. The model is edited at
//! the protobuf wire level, so no ONNX library is needed.

use crate::error::OcrError;
use std::collections::{HashMap, HashSet};

/// The model with every fusable block fused (see the module documentation).
pub fn fuse_model(model: &[u8]) -> Result<Vec<u8>, OcrError> {
    let mut top = decode(model)?;
    let Some(graph_field) = top.iter_mut().find(|f| f.number == MODEL_GRAPH) else {
        return Ok(model.to_vec());
    };
    let Value::Bytes(graph_bytes) = &mut graph_field.value else {
        return Err(malformed("graph is not a message"));
    };
    let mut graph = Graph::decode(graph_bytes)?;
    while graph.fold_affine_after_conv()? {}
    while graph.rewrite_hard_swish()? {}
    while graph.fold_affine_into_pointwise_conv()? {}
    graph.drop_unused_constants();
    *graph_bytes = graph.encode();
    Ok(encode(&top))
}

// Field numbers of onnx.proto used here.
const MODEL_GRAPH: u64 = 7;
const GRAPH_NODE: u64 = 1;
const GRAPH_OUTPUT: u64 = 12;
const VALUE_INFO_NAME: u64 = 1;
const NODE_INPUT: u64 = 1;
const NODE_OUTPUT: u64 = 2;
const NODE_NAME: u64 = 3;
const NODE_OP_TYPE: u64 = 4;
const NODE_ATTRIBUTE: u64 = 5;
const ATTR_NAME: u64 = 1;
const ATTR_FLOAT: u64 = 2;
const ATTR_INT: u64 = 3;
const ATTR_STRING: u64 = 4;
const ATTR_TENSOR: u64 = 5;
const ATTR_INTS: u64 = 8;
const ATTR_TYPE: u64 = 20;
const ATTR_TYPE_FLOAT: u64 = 1;
const TENSOR_DIMS: u64 = 1;
const TENSOR_DATA_TYPE: u64 = 2;
const TENSOR_RAW_DATA: u64 = 9;
const TENSOR_FLOAT: u64 = 1;

/// One protobuf field value, as on the wire.
#[derive(Debug, Clone, PartialEq)]
enum Value {
    Varint(u64),
    Fixed64([u8; 8]),
    Bytes(Vec<u8>),
    Fixed32([u8; 4]),
}

#[derive(Debug, Clone, PartialEq)]
struct Field {
    number: u64,
    value: Value,
}

impl Field {
    fn bytes(number: u64, bytes: impl Into<Vec<u8>>) -> Field {
        Field {
            number,
            value: Value::Bytes(bytes.into()),
        }
    }

    fn as_bytes(&self) -> Option<&[u8]> {
        match &self.value {
            Value::Bytes(b) => Some(b),
            _ => None,
        }
    }

    fn as_str(&self) -> Option<&str> {
        self.as_bytes().and_then(|b| std::str::from_utf8(b).ok())
    }
}

fn malformed(what: impl std::fmt::Display) -> OcrError {
    OcrError::Model(format!("malformed ONNX model: {what}"))
}

fn read_varint(bytes: &mut &[u8]) -> Result<u64, OcrError> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let (&byte, rest) = bytes.split_first().ok_or_else(|| malformed("truncated"))?;
        *bytes = rest;
        value |= u64::from(byte & 0x7f) << shift;
        if byte < 0x80 {
            return Ok(value);
        }
    }
    Err(malformed("varint too long"))
}

fn take<'a>(bytes: &mut &'a [u8], n: usize) -> Result<&'a [u8], OcrError> {
    if bytes.len() < n {
        return Err(malformed("truncated"));
    }
    let (head, rest) = bytes.split_at(n);
    *bytes = rest;
    Ok(head)
}

/// The fields of one message, in order.
fn decode(mut bytes: &[u8]) -> Result<Vec<Field>, OcrError> {
    let mut out = Vec::new();
    while !bytes.is_empty() {
        let key = read_varint(&mut bytes)?;
        let value = match key & 7 {
            0 => Value::Varint(read_varint(&mut bytes)?),
            1 => Value::Fixed64(take(&mut bytes, 8)?.try_into().expect("8 bytes")),
            2 => {
                let n = usize::try_from(read_varint(&mut bytes)?)
                    .map_err(|_| malformed("field too long"))?;
                Value::Bytes(take(&mut bytes, n)?.to_vec())
            }
            5 => Value::Fixed32(take(&mut bytes, 4)?.try_into().expect("4 bytes")),
            wire => return Err(malformed(format!("wire type {wire}"))),
        };
        out.push(Field {
            number: key >> 3,
            value,
        });
    }
    Ok(out)
}

fn write_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn encode(fields: &[Field]) -> Vec<u8> {
    let mut out = Vec::new();
    for f in fields {
        let wire = match f.value {
            Value::Varint(_) => 0,
            Value::Fixed64(_) => 1,
            Value::Bytes(_) => 2,
            Value::Fixed32(_) => 5,
        };
        write_varint(&mut out, f.number << 3 | wire);
        match &f.value {
            Value::Varint(v) => write_varint(&mut out, *v),
            Value::Fixed64(b) => out.extend_from_slice(b),
            Value::Bytes(b) => {
                write_varint(&mut out, b.len() as u64);
                out.extend_from_slice(b);
            }
            Value::Fixed32(b) => out.extend_from_slice(b),
        }
    }
    out
}

/// A NodeProto's fields.
#[derive(Debug, Clone, PartialEq)]
struct Node(Vec<Field>);

impl Node {
    fn strings(&self, number: u64) -> Vec<&str> {
        self.0
            .iter()
            .filter(|f| f.number == number)
            .filter_map(Field::as_str)
            .collect()
    }

    fn inputs(&self) -> Vec<&str> {
        self.strings(NODE_INPUT)
    }

    fn output(&self) -> Option<&str> {
        self.strings(NODE_OUTPUT).first().copied()
    }

    fn op(&self) -> &str {
        self.strings(NODE_OP_TYPE).first().copied().unwrap_or("")
    }

    fn is(&self, op: &str) -> bool {
        self.op() == op
    }

    /// Replaces the repeated string field `number` (inputs or outputs) with `values`.
    fn set_strings(&mut self, number: u64, values: &[&str]) {
        let at = self
            .0
            .iter()
            .position(|f| f.number == number)
            .unwrap_or(self.0.len());
        self.0.retain(|f| f.number != number);
        let new = values.iter().map(|v| Field::bytes(number, v.as_bytes()));
        self.0
            .splice(at.min(self.0.len())..at.min(self.0.len()), new);
    }

    /// The fields of the attribute called `name`.
    fn attribute(&self, name: &str) -> Option<Vec<Field>> {
        self.0
            .iter()
            .filter(|f| f.number == NODE_ATTRIBUTE)
            .filter_map(|f| decode(f.as_bytes()?).ok())
            .find(|a| {
                a.iter()
                    .any(|f| f.number == ATTR_NAME && f.as_str() == Some(name))
            })
    }

    /// An integer attribute, or `default` when absent.
    fn int_attribute(&self, name: &str, default: u64) -> Option<u64> {
        match self.attribute(name) {
            None => Some(default),
            Some(a) => a.iter().find_map(|f| match (f.number, &f.value) {
                (ATTR_INT, Value::Varint(v)) => Some(*v),
                _ => None,
            }),
        }
    }

    /// An integer-list attribute (packed or not), empty when absent.
    fn ints_attribute(&self, name: &str) -> Option<Vec<u64>> {
        let Some(a) = self.attribute(name) else {
            return Some(Vec::new());
        };
        let mut out = Vec::new();
        for f in a.iter().filter(|f| f.number == ATTR_INTS) {
            match &f.value {
                Value::Varint(v) => out.push(*v),
                Value::Bytes(packed) => {
                    let mut b: &[u8] = packed;
                    while !b.is_empty() {
                        out.push(read_varint(&mut b).ok()?);
                    }
                }
                _ => return None,
            }
        }
        Some(out)
    }
}

/// A convolution absorbing an elementwise scale and shift.
struct Fold {
    conv: usize,
    /// Constant node of the weights and their new values.
    weights: (usize, Vec<f32>),
    /// Constant node of the bias and its new values.
    bias: (usize, Vec<f32>),
    /// The convolution's new inputs or outputs (field number, names).
    rewire: (u64, Vec<String>),
    /// The `Mul` and `Add` folded away.
    remove: [usize; 2],
}

/// The nodes of one exported hard-swish and the values it connects.
struct HardSwish {
    add: usize,
    mul: usize,
    clip: usize,
    div: usize,
    x: String,
    /// Output of the `Add`, reused for the `HardSigmoid`.
    gate: String,
    out: String,
}

/// A float constant: its shape and values.
struct Tensor {
    dims: Vec<u64>,
    values: Vec<f32>,
}

/// The nodes of a GraphProto (in order, `None` once removed) and its other fields.
struct Graph {
    fields: Vec<Field>,
    /// Per field of `fields`: the decoded node when the field is a node.
    nodes: Vec<Option<Node>>,
    outputs: HashSet<String>,
}

/// Where each value is made and read (rebuilt after every rewrite).
struct Uses {
    producer: HashMap<String, usize>,
    consumers: HashMap<String, Vec<usize>>,
}

impl Graph {
    fn decode(bytes: &[u8]) -> Result<Graph, OcrError> {
        let fields = decode(bytes)?;
        let mut nodes = Vec::with_capacity(fields.len());
        let mut outputs = HashSet::new();
        for f in &fields {
            let bytes = f.as_bytes();
            nodes.push(match (f.number, bytes) {
                (GRAPH_NODE, Some(b)) => Some(Node(decode(b)?)),
                _ => None,
            });
            if let (GRAPH_OUTPUT, Some(b)) = (f.number, bytes) {
                let info = decode(b)?;
                if let Some(name) = info.iter().find(|f| f.number == VALUE_INFO_NAME) {
                    outputs.insert(name.as_str().unwrap_or("").to_owned());
                }
            }
        }
        Ok(Graph {
            fields,
            nodes,
            outputs,
        })
    }

    fn encode(self) -> Vec<u8> {
        let fields: Vec<Field> = self
            .fields
            .into_iter()
            .zip(self.nodes)
            .filter_map(|(field, node)| match (field.number, node) {
                (GRAPH_NODE, Some(node)) => Some(Field::bytes(GRAPH_NODE, encode(&node.0))),
                (GRAPH_NODE, None) => None,
                _ => Some(field),
            })
            .collect();
        encode(&fields)
    }

    fn node(&self, i: usize) -> &Node {
        self.nodes[i].as_ref().expect("live node")
    }

    fn live(&self) -> impl Iterator<Item = (usize, &Node)> {
        self.nodes
            .iter()
            .enumerate()
            .filter_map(|(i, n)| n.as_ref().map(|n| (i, n)))
    }

    fn uses(&self) -> Uses {
        let mut producer = HashMap::new();
        let mut consumers: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, node) in self.live() {
            for out in node.strings(NODE_OUTPUT) {
                producer.insert(out.to_owned(), i);
            }
            for input in node.inputs() {
                consumers.entry(input.to_owned()).or_default().push(i);
            }
        }
        Uses {
            producer,
            consumers,
        }
    }

    /// The one node reading `value`, when exactly one does and it is not a graph output.
    fn sole_consumer(&self, uses: &Uses, value: &str) -> Option<usize> {
        match uses.consumers.get(value).map(Vec::as_slice) {
            Some(&[i]) if !self.outputs.contains(value) => Some(i),
            _ => None,
        }
    }

    /// The `Constant` node making `value`, with the tensor it holds.
    fn constant(&self, uses: &Uses, value: &str) -> Option<(usize, Tensor)> {
        let i = *uses.producer.get(value)?;
        let node = self.node(i);
        if !node.is("Constant") {
            return None;
        }
        let tensor = decode(
            node.attribute("value")?
                .iter()
                .find(|f| f.number == ATTR_TENSOR)?
                .as_bytes()?,
        )
        .ok()?;
        let dims = tensor
            .iter()
            .filter(|f| f.number == TENSOR_DIMS)
            .map(|f| match f.value {
                Value::Varint(d) => Some(d),
                _ => None,
            })
            .collect::<Option<Vec<u64>>>()?;
        let float = tensor
            .iter()
            .any(|f| f.number == TENSOR_DATA_TYPE && f.value == Value::Varint(TENSOR_FLOAT));
        let raw = tensor
            .iter()
            .find(|f| f.number == TENSOR_RAW_DATA)?
            .as_bytes()?;
        let values: Vec<f32> = raw
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes(c.try_into().expect("4 bytes")))
            .collect();
        let count: u64 = dims.iter().product();
        (float && raw.len() % 4 == 0 && values.len() as u64 == count)
            .then_some((i, Tensor { dims, values }))
    }

    /// The value of a one-element constant.
    fn scalar(&self, uses: &Uses, value: &str) -> Option<f32> {
        let (_, t) = self.constant(uses, value)?;
        (t.values.len() == 1).then(|| t.values[0])
    }

    /// A constant that only `reader` reads, so it may be changed in place.
    fn private_constant(&self, uses: &Uses, value: &str, reader: usize) -> Option<(usize, Tensor)> {
        (uses.consumers.get(value)? == &[reader] && !self.outputs.contains(value))
            .then(|| self.constant(uses, value))
            .flatten()
    }

    /// For a binary node reading `from`: its other input when that is a scalar constant.
    fn scalar_operand(&self, uses: &Uses, node: usize, from: &str) -> Option<f32> {
        match *self.node(node).inputs().as_slice() {
            [a, b] if a == from => self.scalar(uses, b),
            [a, b] if b == from => self.scalar(uses, a),
            _ => None,
        }
    }

    /// Rewrites the raw data of constant node `i` with `values` (same shape).
    fn set_constant(&mut self, i: usize, values: &[f32]) -> Result<(), OcrError> {
        let raw: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        let node = self.nodes[i].as_mut().expect("live node");
        for attr_field in node.0.iter_mut().filter(|f| f.number == NODE_ATTRIBUTE) {
            let Value::Bytes(attr_bytes) = &mut attr_field.value else {
                continue;
            };
            let mut attr = decode(attr_bytes)?;
            let Some(Field {
                value: Value::Bytes(tensor_bytes),
                ..
            }) = attr.iter_mut().find(|f| f.number == ATTR_TENSOR)
            else {
                continue;
            };
            let mut tensor = decode(tensor_bytes)?;
            for f in tensor.iter_mut().filter(|f| f.number == TENSOR_RAW_DATA) {
                f.value = Value::Bytes(raw.clone());
            }
            *tensor_bytes = encode(&tensor);
            *attr_bytes = encode(&attr);
        }
        Ok(())
    }

    /// Applies a fold: new weights and bias, the convolution's inputs or outputs rewired,
    /// the two elementwise nodes removed.
    fn apply(&mut self, fold: Fold) -> Result<(), OcrError> {
        self.set_constant(fold.weights.0, &fold.weights.1)?;
        self.set_constant(fold.bias.0, &fold.bias.1)?;
        let names: Vec<&str> = fold.rewire.1.iter().map(String::as_str).collect();
        self.nodes[fold.conv]
            .as_mut()
            .expect("live node")
            .set_strings(fold.rewire.0, &names);
        for i in fold.remove {
            self.nodes[i] = None;
        }
        Ok(())
    }

    /// Folds one `Conv(x, W, b) → Mul(s) → Add(t)` into `Conv(x, s·W, s·b + t)`; false
    /// when none is left.
    fn fold_affine_after_conv(&mut self) -> Result<bool, OcrError> {
        let uses = self.uses();
        let found = self.live().find_map(|(conv, node)| {
            let (&[_, w, b], Some(out)) = (node.inputs().as_slice(), node.output()) else {
                return None;
            };
            if !node.is("Conv") {
                return None;
            }
            let mul = self
                .sole_consumer(&uses, out)
                .filter(|&i| self.node(i).is("Mul"))?;
            let s = self.scalar_operand(&uses, mul, out)?;
            let mul_out = self.node(mul).output()?;
            let add = self
                .sole_consumer(&uses, mul_out)
                .filter(|&i| self.node(i).is("Add"))?;
            let t = self.scalar_operand(&uses, add, mul_out)?;
            let (wi, wt) = self.private_constant(&uses, w, conv)?;
            let (bi, bt) = self.private_constant(&uses, b, conv)?;
            Some(Fold {
                conv,
                weights: (wi, wt.values.iter().map(|v| v * s).collect()),
                bias: (bi, bt.values.iter().map(|v| v * s + t).collect()),
                rewire: (NODE_OUTPUT, vec![self.node(add).output()?.to_owned()]),
                remove: [mul, add],
            })
        });
        found
            .map(|fold| self.apply(fold))
            .transpose()
            .map(|f| f.is_some())
    }

    /// Rewrites one `Div(Mul(x, Clip(Add(x, 3), 0, 6)), 6)` as `Mul(x, HardSigmoid(x))`;
    /// false when none is left.
    fn rewrite_hard_swish(&mut self) -> Result<bool, OcrError> {
        let uses = self.uses();
        let is_const = |v: &str, want: f32| self.scalar(&uses, v) == Some(want);
        // The node making `v` when it is an `op` and only one node reads `v`.
        let made_by = |v: &str, op: &str| {
            uses.producer
                .get(v)
                .copied()
                .filter(|&i| self.node(i).is(op) && self.sole_consumer(&uses, v).is_some())
        };
        let found = self.live().find_map(|(div, node)| {
            let (&[product, six], Some(out)) = (node.inputs().as_slice(), node.output()) else {
                return None;
            };
            if !node.is("Div") || !is_const(six, 6.0) {
                return None;
            }
            let mul = made_by(product, "Mul")?;
            let &[p, q] = self.node(mul).inputs().as_slice() else {
                return None;
            };
            let (x, clip) = [(p, q), (q, p)]
                .into_iter()
                .find_map(|(x, c)| made_by(c, "Clip").map(|clip| (x, clip)))?;
            let &[shifted, lo, hi] = self.node(clip).inputs().as_slice() else {
                return None;
            };
            if !is_const(lo, 0.0) || !is_const(hi, 6.0) {
                return None;
            }
            let add = made_by(shifted, "Add")?;
            self.scalar_operand(&uses, add, x).filter(|&v| v == 3.0)?;
            Some(HardSwish {
                add,
                mul,
                clip,
                div,
                x: x.to_owned(),
                gate: shifted.to_owned(),
                out: out.to_owned(),
            })
        });
        let Some(h) = found else {
            return Ok(false);
        };
        let float_attr = |name: &str, v: f32| {
            Field::bytes(
                NODE_ATTRIBUTE,
                encode(&[
                    Field::bytes(ATTR_NAME, name.as_bytes()),
                    Field {
                        number: ATTR_FLOAT,
                        value: Value::Fixed32(v.to_le_bytes()),
                    },
                    Field {
                        number: ATTR_TYPE,
                        value: Value::Varint(ATTR_TYPE_FLOAT),
                    },
                ]),
            )
        };
        self.nodes[h.add] = Some(Node(vec![
            Field::bytes(NODE_INPUT, h.x.as_bytes()),
            Field::bytes(NODE_OUTPUT, h.gate.as_bytes()),
            Field::bytes(NODE_NAME, format!("{}/hard_sigmoid", h.gate)),
            Field::bytes(NODE_OP_TYPE, "HardSigmoid"),
            float_attr("alpha", 1.0 / 6.0),
            float_attr("beta", 0.5),
        ]));
        let mul = self.nodes[h.mul].as_mut().expect("live node");
        mul.set_strings(NODE_INPUT, &[&h.x, &h.gate]);
        mul.set_strings(NODE_OUTPUT, &[&h.out]);
        self.nodes[h.clip] = None;
        self.nodes[h.div] = None;
        Ok(true)
    }

    /// Folds one `Mul(x, s) → Add(t) → Conv(·, W, b)` with a 1×1, unpadded, ungrouped
    /// kernel into `Conv(x, s·W, b + t·ΣW)`; false when none is left.
    fn fold_affine_into_pointwise_conv(&mut self) -> Result<bool, OcrError> {
        let uses = self.uses();
        let found = self.live().find_map(|(mul, node)| {
            let (&[p, q], Some(mul_out)) = (node.inputs().as_slice(), node.output()) else {
                return None;
            };
            if !node.is("Mul") {
                return None;
            }
            let (x, s) = [(p, q), (q, p)]
                .into_iter()
                .find_map(|(x, c)| Some((x, self.scalar(&uses, c)?)))
                .filter(|(x, _)| self.constant(&uses, x).is_none())?;
            let add = self
                .sole_consumer(&uses, mul_out)
                .filter(|&i| self.node(i).is("Add"))?;
            let t = self.scalar_operand(&uses, add, mul_out)?;
            let add_out = self.node(add).output()?;
            let conv = self.sole_consumer(&uses, add_out)?;
            let conv_node = self.node(conv);
            let &[input, w, b] = conv_node.inputs().as_slice() else {
                return None;
            };
            let pointwise = conv_node.is("Conv")
                && input == add_out
                && conv_node.int_attribute("group", 1) == Some(1)
                && conv_node
                    .ints_attribute("pads")
                    .is_some_and(|p| p.iter().all(|&v| v == 0))
                && conv_node.attribute("auto_pad").is_none_or(|a| {
                    a.iter()
                        .any(|f| f.number == ATTR_STRING && f.as_str() == Some("NOTSET"))
                });
            if !pointwise {
                return None;
            }
            let (wi, wt) = self.private_constant(&uses, w, conv)?;
            let (bi, bt) = self.private_constant(&uses, b, conv)?;
            let &[outs, ins, 1, 1] = wt.dims.as_slice() else {
                return None;
            };
            if bt.values.len() as u64 != outs || ins == 0 {
                return None;
            }
            let bias = wt
                .values
                .chunks_exact(ins as usize)
                .zip(&bt.values)
                .map(|(row, b)| b + t * row.iter().sum::<f32>())
                .collect();
            Some(Fold {
                conv,
                weights: (wi, wt.values.iter().map(|v| v * s).collect()),
                bias: (bi, bias),
                rewire: (NODE_INPUT, vec![x.to_owned(), w.to_owned(), b.to_owned()]),
                remove: [mul, add],
            })
        });
        found
            .map(|fold| self.apply(fold))
            .transpose()
            .map(|f| f.is_some())
    }

    /// Removes `Constant` nodes nothing reads any more.
    fn drop_unused_constants(&mut self) {
        let uses = self.uses();
        for slot in &mut self.nodes {
            let unused = slot.as_ref().is_some_and(|n| {
                n.is("Constant")
                    && n.output().is_some_and(|o| {
                        !uses.consumers.contains_key(o) && !self.outputs.contains(o)
                    })
            });
            if unused {
                *slot = None;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(op: &str, inputs: &[&str], output: &str) -> Field {
        let mut fields: Vec<Field> = inputs
            .iter()
            .map(|i| Field::bytes(NODE_INPUT, i.as_bytes()))
            .collect();
        fields.push(Field::bytes(NODE_OUTPUT, output.as_bytes()));
        fields.push(Field::bytes(NODE_OP_TYPE, op.as_bytes()));
        Field::bytes(GRAPH_NODE, encode(&fields))
    }

    fn constant(name: &str, dims: &[u64], values: &[f32]) -> Field {
        let mut tensor: Vec<Field> = dims
            .iter()
            .map(|&d| Field {
                number: TENSOR_DIMS,
                value: Value::Varint(d),
            })
            .collect();
        tensor.push(Field {
            number: TENSOR_DATA_TYPE,
            value: Value::Varint(TENSOR_FLOAT),
        });
        let raw: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        tensor.push(Field::bytes(TENSOR_RAW_DATA, raw));
        let attribute = encode(&[
            Field::bytes(ATTR_NAME, "value"),
            Field::bytes(ATTR_TENSOR, encode(&tensor)),
        ]);
        Field::bytes(
            GRAPH_NODE,
            encode(&[
                Field::bytes(NODE_OUTPUT, name.as_bytes()),
                Field::bytes(NODE_OP_TYPE, "Constant"),
                Field::bytes(NODE_ATTRIBUTE, attribute),
            ]),
        )
    }

    fn model(graph: &[Field]) -> Vec<u8> {
        encode(&[Field::bytes(MODEL_GRAPH, encode(graph))])
    }

    /// Op types of the fused graph, in order, and the constants' values by name.
    fn fused(graph: &[Field]) -> (Vec<String>, HashMap<String, Vec<f32>>) {
        let top = decode(&fuse_model(&model(graph)).unwrap()).unwrap();
        let graph = Graph::decode(top[0].as_bytes().unwrap()).unwrap();
        let uses = graph.uses();
        let mut ops = Vec::new();
        let mut constants = HashMap::new();
        for (_, n) in graph.live() {
            if n.is("Constant") {
                let name = n.output().unwrap();
                constants.insert(
                    name.to_owned(),
                    graph.constant(&uses, name).unwrap().1.values,
                );
            } else {
                ops.push(n.op().to_owned());
            }
        }
        (ops, constants)
    }

    #[test]
    fn wire_format_round_trips() {
        let fields = vec![
            Field {
                number: 1,
                value: Value::Varint(300),
            },
            Field {
                number: 2,
                value: Value::Fixed64([1, 2, 3, 4, 5, 6, 7, 8]),
            },
            Field::bytes(3, vec![0xff; 200]),
            Field {
                number: 20,
                value: Value::Fixed32(1.5f32.to_le_bytes()),
            },
        ];
        assert_eq!(decode(&encode(&fields)).unwrap(), fields);
        assert!(decode(&[0x0a, 5, 1]).is_err(), "truncated field");
    }

    #[test]
    fn conv_block_with_hard_swish_folds_into_conv_and_hard_sigmoid() {
        let graph = [
            constant("w", &[2, 1, 1, 1], &[1.0, 2.0]),
            constant("b", &[2], &[0.5, -1.0]),
            constant("s", &[1], &[3.0]),
            constant("t", &[1], &[0.25]),
            constant("three", &[1], &[3.0]),
            constant("zero", &[1], &[0.0]),
            constant("six", &[1], &[6.0]),
            constant("six2", &[1], &[6.0]),
            constant("c", &[1], &[2.0]),
            constant("d", &[1], &[-0.5]),
            constant("w2", &[1, 2, 1, 1], &[4.0, 5.0]),
            constant("b2", &[1], &[1.0]),
            node("Conv", &["x", "w", "b"], "conv"),
            node("Mul", &["s", "conv"], "scaled"),
            node("Add", &["scaled", "t"], "y"),
            node("Add", &["y", "three"], "y3"),
            node("Clip", &["y3", "zero", "six"], "clipped"),
            node("Mul", &["y", "clipped"], "product"),
            node("Div", &["product", "six2"], "hs"),
            node("Mul", &["c", "hs"], "hs_scaled"),
            node("Add", &["hs_scaled", "d"], "hs_shifted"),
            node("Conv", &["hs_shifted", "w2", "b2"], "out"),
        ];
        let (ops, constants) = fused(&graph);
        assert_eq!(ops, ["Conv", "HardSigmoid", "Mul", "Conv"]);
        // s·W, s·b + t
        assert_eq!(constants["w"], [3.0, 6.0]);
        assert_eq!(constants["b"], [1.75, -2.75]);
        // c·W2, b2 + d·ΣW2
        assert_eq!(constants["w2"], [8.0, 10.0]);
        assert_eq!(constants["b2"], [1.0 - 0.5 * 9.0]);
        assert!(!constants.contains_key("three") && !constants.contains_key("s"));
    }

    #[test]
    fn shared_weights_padded_kernels_and_other_graphs_stay_unchanged() {
        let graph = [
            constant("w3", &[1, 1, 3, 3], &[1.0; 9]),
            constant("w", &[1, 1, 1, 1], &[1.0]),
            constant("b", &[1], &[0.0]),
            constant("s", &[1], &[2.0]),
            constant("t", &[1], &[1.0]),
            // A 3×3 kernel after Mul/Add: its zero padding would not see the shift.
            node("Mul", &["x", "s"], "scaled"),
            node("Add", &["scaled", "t"], "shifted"),
            node("Conv", &["shifted", "w3", "b"], "conv"),
            // Conv → Mul → Add whose weights another node reads too.
            node("Conv", &["conv", "w", "b"], "conv2"),
            node("Mul", &["conv2", "s"], "scaled2"),
            node("Add", &["scaled2", "t"], "shifted2"),
            node("Conv", &["shifted2", "w", "b"], "out"),
            node("Relu", &["out"], "y"),
        ];
        let bytes = model(&graph);
        assert_eq!(fuse_model(&bytes).unwrap(), bytes);
    }
}
