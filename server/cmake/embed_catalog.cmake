# Writes OUTPUT, a C++ source that holds each catalog JSON file (INPUTS, ';'-separated) as a string,
# so that the binary carries the catalog. Run with cmake -P at build time; the build reruns it when a
# file changes.
set(body "// Generated from server/catalog/*.json by server/cmake/embed_catalog.cmake. Do not edit.\n")
string(APPEND body "#include \"resolve/catalog_data.h\"\n\nnamespace dlc::resolve {\n\n")
string(APPEND body "const std::vector<EmbeddedFile>& builtin_catalog_files() {\n  static const std::vector<EmbeddedFile> files = {\n")
foreach(input IN LISTS INPUTS)
  file(READ "${input}" content)
  get_filename_component(name "${input}" NAME)
  string(FIND "${content}" ")dlcjson\"" clash)
  if(NOT clash EQUAL -1)
    message(FATAL_ERROR "${input} contains the raw string delimiter")
  endif()
  string(APPEND body "    {\"${name}\", R\"dlcjson(${content})dlcjson\"},\n")
endforeach()
string(APPEND body "  };\n  return files;\n}\n\n}  // namespace dlc::resolve\n")
file(WRITE "${OUTPUT}.tmp" "${body}")
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different "${OUTPUT}.tmp" "${OUTPUT}")
file(REMOVE "${OUTPUT}.tmp")
