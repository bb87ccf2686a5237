# Writes a C++ table of the target presets: {name, JSON text} per file.
# Invoked at build time: cmake -DOUTPUT=... -DINPUTS="a.json|b.json" -P ...
string(REPLACE "|" ";" INPUTS "${INPUTS}")
set(content "// Generated from targets/*.json by cmake/EmbedTargets.cmake.\n")
foreach(input IN LISTS INPUTS)
  get_filename_component(name ${input} NAME_WE)
  file(READ ${input} json)
  string(APPEND content "{\"${name}\", R\"cimjson(${json})cimjson\"},\n")
endforeach()
file(WRITE ${OUTPUT}.tmp "${content}")
file(COPY_FILE ${OUTPUT}.tmp ${OUTPUT} ONLY_IF_DIFFERENT)
