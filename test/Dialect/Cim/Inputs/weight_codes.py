"""Weight codes of a .cimasm program, checked independently of cim.

  weight_codes.py PROGRAM.cimasm MAX_ONES

Decodes every i32 constant tensor (the PROGRAM instructions' codes, base64
little-endian) and prints how many codes there are, the largest number of
'1' bits in a code's magnitude, and whether all are within MAX_ONES.
"""
import base64
import re
import sys

import numpy as np

codes = []
for line in open(sys.argv[1]):
    m = re.match(r'\.tensor %\d+ const "[^"]*" i32 \[[0-9, ]+\] "([^"]*)"', line)
    if m:
        codes.append(np.frombuffer(base64.b64decode(m.group(1)), dtype="<i4"))
codes = np.concatenate(codes)
ones = np.array([bin(abs(int(c))).count("1") for c in codes])
print("codes", "many" if codes.size > 1000 else codes.size)
print("most ones", ones.max())
print("within", "yes" if ones.max() <= int(sys.argv[2]) else "NO")
