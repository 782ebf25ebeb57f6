# Writes a C++ source defining rolegate::ExampleBundle() from a JSON file, as
# a raw byte array (no delimiter can collide with the file's content).
file(READ ${IN} _hex HEX)
string(LENGTH "${_hex}" _len)
math(EXPR _bytes "${_len} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," _arr "${_hex}")
file(WRITE ${OUT} "// Generated from examples/anyscale.json; do not edit.\n#include <string_view>\n#include \"rolegate/policy.h\"\nnamespace rolegate {\nnamespace {\nconst char kExample[] = {${_arr} 0};\n}\nstd::string_view ExampleBundle() { return std::string_view(kExample, ${_bytes}); }\n}  // namespace rolegate\n")
