"""A plain numpy forward pass of transformers' BertForQuestionAnswering, DistilBertForQuestionAnswering and
RobertaForQuestionAnswering (XLM-RoBERTa's is RoBERTa's), written from the published modeling files
(modeling_bert.py, modeling_distilbert.py, modeling_roberta.py), in float64, one window at a time, unpadded.

It reads a model directory as transformers would (config.json, model.safetensors parsed by hand: an 8-byte
little-endian header length, a JSON header, raw little-endian data) and never any code of the project, so that the
project's forward pass is checked against an implementation that is not its own.

usage: qa_forward.py MODEL_DIR WINDOWS_JSON OUT_JSON
  WINDOWS_JSON: {"input_ids": [[...], ...], "token_type_ids": [[...], ...]}
  OUT_JSON:     {"start_logits": [[...], ...], "end_logits": [[...], ...]}
"""
import json
import math
import struct
import sys

import numpy as np

DTYPES = {"F32": np.float32, "F64": np.float64, "F16": np.float16, "I64": np.int64, "I32": np.int32}


def read_safetensors(path):
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        data = f.read()
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        array = np.frombuffer(data[begin:end], dtype=np.dtype(DTYPES[info["dtype"]]).newbyteorder("<"))
        tensors[name] = array.reshape(info["shape"]).astype(np.float64)
    return tensors


ERF = np.vectorize(math.erf)


def activation(name, x):
    if name == "gelu":  # torch's exact gelu
        return 0.5 * x * (1.0 + ERF(x / math.sqrt(2.0)))
    if name in ("gelu_new", "gelu_pytorch_tanh"):
        return 0.5 * x * (1.0 + np.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))
    if name == "relu":
        return np.maximum(x, 0)
    raise ValueError(name)


def layer_norm(x, weight, bias, eps):
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)  # biased, as torch.nn.LayerNorm
    return (x - mean) / np.sqrt(var + eps) * weight + bias


def linear(x, w, b):
    return x @ w.T + b  # torch.nn.Linear: weight is [out, in]


def softmax(x):
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def attention(x, q, k, v, heads):
    n, hidden = x.shape
    size = hidden // heads
    split = lambda t: t.reshape(n, heads, size).transpose(1, 0, 2)  # [heads, n, size]
    scores = split(q) @ split(k).transpose(0, 2, 1) / math.sqrt(size)  # no padding: nothing masked
    return (softmax(scores) @ split(v)).transpose(1, 0, 2).reshape(n, hidden)


# the parts of a post-LayerNorm layer, by family: query, key, value, attention output, its LayerNorm, the
# feed-forward in and out, the output LayerNorm (BertLayer; DistilBERT's TransformerBlock computes the same)
BERT_LAYER = ("attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense",
              "attention.output.LayerNorm", "intermediate.dense", "output.dense", "output.LayerNorm")
DISTILBERT_LAYER = ("attention.q_lin", "attention.k_lin", "attention.v_lin", "attention.out_lin", "sa_layer_norm",
                    "ffn.lin1", "ffn.lin2", "output_layer_norm")


def encoder(t, x, prefix, parts, layers, heads, act, eps):
    for i in range(layers):
        w = lambda k: (t[f"{prefix}{i}.{parts[k]}.weight"], t[f"{prefix}{i}.{parts[k]}.bias"])
        context = attention(x, linear(x, *w(0)), linear(x, *w(1)), linear(x, *w(2)), heads)
        x = layer_norm(linear(context, *w(3)) + x, *w(4), eps)
        x = layer_norm(linear(activation(act, linear(x, *w(5))), *w(6)) + x, *w(7), eps)
    return x


def bert_like(t, c, ids, types, prefix, positions):
    """BertModel / RobertaModel: word + position + token-type embeddings, LayerNorm, BertLayers."""
    eps = c.get("layer_norm_eps", 1e-12)
    e = prefix + "embeddings."
    x = (t[e + "word_embeddings.weight"][ids] + t[e + "position_embeddings.weight"][positions]
         + t[e + "token_type_embeddings.weight"][types])
    x = layer_norm(x, t[e + "LayerNorm.weight"], t[e + "LayerNorm.bias"], eps)
    return encoder(t, x, prefix + "encoder.layer.", BERT_LAYER, c["num_hidden_layers"], c["num_attention_heads"],
                   c.get("hidden_act", "gelu"), eps)


def distilbert(t, c, ids):
    """DistilBertModel: word + learned position embeddings, LayerNorm (eps 1e-12), TransformerBlocks."""
    eps = 1e-12
    e = "distilbert.embeddings."
    x = t[e + "word_embeddings.weight"][ids] + t[e + "position_embeddings.weight"][np.arange(len(ids))]
    x = layer_norm(x, t[e + "LayerNorm.weight"], t[e + "LayerNorm.bias"], eps)
    return encoder(t, x, "distilbert.transformer.layer.", DISTILBERT_LAYER, c["n_layers"], c["n_heads"],
                   c.get("activation", "gelu"), eps)


def forward(t, c, ids, types):
    kind = c.get("model_type", "bert")
    ids = np.asarray(ids)
    if kind == "bert":
        hidden = bert_like(t, c, ids, np.asarray(types), "bert.", np.arange(len(ids)))
    elif kind in ("roberta", "xlm-roberta"):
        pad = c.get("pad_token_id", 1)
        mask = (ids != pad).astype(np.int64)
        positions = np.cumsum(mask) * mask + pad  # create_position_ids_from_input_ids
        # RoBERTa's tokenizers return no token_type_ids: the model's buffered zeros
        hidden = bert_like(t, c, ids, np.zeros_like(ids), "roberta.", positions)
    elif kind == "distilbert":
        hidden = distilbert(t, c, ids)
    else:
        raise ValueError(kind)
    logits = linear(hidden, t["qa_outputs.weight"], t["qa_outputs.bias"])
    return logits[:, 0], logits[:, 1]


def main(model_dir, windows_path, out_path):
    with open(f"{model_dir}/config.json") as f:
        config = json.load(f)
    tensors = read_safetensors(f"{model_dir}/model.safetensors")
    with open(windows_path) as f:
        windows = json.load(f)
    starts, ends = [], []
    for ids, types in zip(windows["input_ids"], windows["token_type_ids"]):
        s, e = forward(tensors, config, ids, types)
        starts.append(s.tolist())
        ends.append(e.tolist())
    with open(out_path, "w") as f:
        json.dump({"start_logits": starts, "end_logits": ends}, f)


if __name__ == "__main__":
    main(*sys.argv[1:4])
