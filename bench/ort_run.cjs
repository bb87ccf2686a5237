// Runs an ONNX model on ONNX Runtime (npm onnxruntime-node), the float
// reference for bench/outside_models.py.
//
//   node bench/ort_run.cjs SPEC.json
//
// SPEC: {"model": PATH, "inputs": [{"name", "type": "float32"|"int64",
// "dims": [...], "file": RAW}], "out": DIR}. Each output is written to
// DIR/NAME.bin (raw little-endian float32) with DIR/NAME.json ({"dims"}).
// The module is found through NODE_PATH (the scratch folder's node_modules).
'use strict';
const fs = require('fs');
const path = require('path');
const ort = require('onnxruntime-node');

async function main() {
  const spec = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  const session = await ort.InferenceSession.create(spec.model, {
    graphOptimizationLevel: 'disabled',
    intraOpNumThreads: 1,
  });
  const feeds = {};
  for (const input of spec.inputs) {
    const bytes = fs.readFileSync(input.file);
    const buffer = bytes.buffer.slice(bytes.byteOffset,
                                      bytes.byteOffset + bytes.length);
    const data = input.type === 'int64' ? new BigInt64Array(buffer)
                                        : new Float32Array(buffer);
    feeds[input.name] = new ort.Tensor(input.type, data, input.dims);
  }
  const results = await session.run(feeds);
  fs.mkdirSync(spec.out, {recursive: true});
  for (const [name, tensor] of Object.entries(results)) {
    const safe = name.replace(/[^A-Za-z0-9_.-]/g, '_');
    const data = Float32Array.from(tensor.data, Number);
    fs.writeFileSync(path.join(spec.out, safe + '.bin'), Buffer.from(data.buffer));
    fs.writeFileSync(path.join(spec.out, safe + '.json'),
                     JSON.stringify({dims: tensor.dims, type: tensor.type}));
  }
}

main().catch((e) => {
  console.error(e.message || e);
  process.exit(1);
});
