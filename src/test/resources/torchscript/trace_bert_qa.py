"""Traces a BERT question-answering model to TorchScript from a model directory that qadistill saved.

The model is transformers' BertForQuestionAnswering written out in plain torch, with the same module tree and
parameter names (bert.embeddings.word_embeddings.weight, ..., qa_outputs.bias), so that the directory's
model.safetensors loads with strict=True, and traced the way a transformers user traces one:
torch.jit.trace(model, (input_ids, attention_mask, token_type_ids)), returning (start_logits, end_logits).
It needs torch only (Debian: apt-get install python3-torch); transformers is not used, so that the fixture can be
made where only Debian's packages are reachable.

    python3 trace_bert_qa.py MODEL_DIR OUT.pt
"""
import json
import math
import struct
import sys

import torch
from torch import nn


class Embeddings(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.word_embeddings = nn.Embedding(c["vocab_size"], c["hidden_size"], padding_idx=0)
        self.position_embeddings = nn.Embedding(c["max_position_embeddings"], c["hidden_size"])
        self.token_type_embeddings = nn.Embedding(c["type_vocab_size"], c["hidden_size"])
        self.LayerNorm = nn.LayerNorm(c["hidden_size"], eps=c["layer_norm_eps"])
        self.dropout = nn.Dropout(c["hidden_dropout_prob"])
        # as transformers: a non-persistent buffer sliced by the traced length, so any length works after tracing
        self.register_buffer("position_ids", torch.arange(c["max_position_embeddings"]).expand((1, -1)),
                             persistent=False)

    def forward(self, input_ids, token_type_ids):
        positions = self.position_ids[:, : input_ids.size(1)]
        x = self.word_embeddings(input_ids) + self.token_type_embeddings(token_type_ids)
        x = x + self.position_embeddings(positions)
        return self.dropout(self.LayerNorm(x))


class SelfAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.heads = c["num_attention_heads"]
        self.size = c["hidden_size"] // self.heads
        self.query = nn.Linear(c["hidden_size"], c["hidden_size"])
        self.key = nn.Linear(c["hidden_size"], c["hidden_size"])
        self.value = nn.Linear(c["hidden_size"], c["hidden_size"])
        self.dropout = nn.Dropout(c["attention_probs_dropout_prob"])

    def split(self, x):
        return x.view(x.size()[:-1] + (self.heads, self.size)).permute(0, 2, 1, 3)

    def forward(self, x, mask):
        q, k, v = self.split(self.query(x)), self.split(self.key(x)), self.split(self.value(x))
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(self.size) + mask
        context = torch.matmul(self.dropout(scores.softmax(-1)), v).permute(0, 2, 1, 3).contiguous()
        return context.view(context.size()[:-2] + (self.heads * self.size,))


class DenseNorm(nn.Module):
    """BertSelfOutput and BertOutput: dense, dropout, residual, LayerNorm."""

    def __init__(self, c, inner):
        super().__init__()
        self.dense = nn.Linear(inner, c["hidden_size"])
        self.LayerNorm = nn.LayerNorm(c["hidden_size"], eps=c["layer_norm_eps"])
        self.dropout = nn.Dropout(c["hidden_dropout_prob"])

    def forward(self, x, residual):
        return self.LayerNorm(self.dropout(self.dense(x)) + residual)


class Attention(nn.Module):
    def __init__(self, c):
        super().__init__()
        setattr(self, "self", SelfAttention(c))  # transformers' name: attention.self.query.weight, ...
        self.output = DenseNorm(c, c["hidden_size"])

    def forward(self, x, mask):
        return self.output(getattr(self, "self")(x, mask), x)


class Intermediate(nn.Module):
    def __init__(self, c):
        super().__init__()
        if c["hidden_act"] != "gelu":
            raise SystemExit("only hidden_act gelu is written out here, not " + c["hidden_act"])
        self.dense = nn.Linear(c["hidden_size"], c["intermediate_size"])

    def forward(self, x):
        return nn.functional.gelu(self.dense(x))  # the erf form, as transformers' "gelu"


class Layer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.attention = Attention(c)
        self.intermediate = Intermediate(c)
        self.output = DenseNorm(c, c["intermediate_size"])

    def forward(self, x, mask):
        x = self.attention(x, mask)
        return self.output(self.intermediate(x), x)


class Encoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.layer = nn.ModuleList([Layer(c) for _ in range(c["num_hidden_layers"])])

    def forward(self, x, mask):
        for layer in self.layer:
            x = layer(x, mask)
        return x


class Bert(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.embeddings = Embeddings(c)
        self.encoder = Encoder(c)


class BertForQuestionAnswering(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.bert = Bert(c)
        self.qa_outputs = nn.Linear(c["hidden_size"], 2)

    def forward(self, input_ids, attention_mask, token_type_ids):
        x = self.bert.embeddings(input_ids, token_type_ids)
        # transformers' extended attention mask: 0 where attended, the dtype's minimum where masked
        mask = (1.0 - attention_mask[:, None, None, :].to(x.dtype)) * torch.finfo(x.dtype).min
        x = self.bert.encoder(x, mask)
        start, end = self.qa_outputs(x).split(1, dim=-1)
        return start.squeeze(-1).contiguous(), end.squeeze(-1).contiguous()


def read_safetensors(path):
    with open(path, "rb") as f:
        (length,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(length))
        data = f.read()
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if info["dtype"] != "F32":
            raise SystemExit(name + " is " + info["dtype"] + "; qadistill writes F32")
        begin, end = info["data_offsets"]
        tensors[name] = torch.frombuffer(bytearray(data[begin:end]), dtype=torch.float32).reshape(info["shape"])
    return tensors


def main(model_dir, out):
    with open(model_dir + "/config.json") as f:
        config = json.load(f)
    model = BertForQuestionAnswering(config)
    model.load_state_dict(read_safetensors(model_dir + "/model.safetensors"), strict=True)
    model.eval()
    generator = torch.Generator().manual_seed(0)
    input_ids = torch.randint(1, config["vocab_size"], (2, 9), generator=generator)
    attention_mask = torch.tensor([[1] * 9, [1] * 6 + [0] * 3])
    token_type_ids = torch.tensor([[0] * 4 + [1] * 5, [0] * 3 + [1] * 3 + [0] * 3])
    with torch.no_grad():
        traced = torch.jit.trace(model, (input_ids, attention_mask, token_type_ids))
    traced.save(out)
    print("traced", model_dir, "->", out, "with torch", torch.__version__)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    main(sys.argv[1], sys.argv[2])
