# CPack runs this after installing into its staging folder and before making the .deb: what
# debhelper would add (copyright, changelog.Debian.gz, lintian overrides) and compress.
set(root "${CPACK_TEMPORARY_INSTALL_DIRECTORY}")
if(EXISTS "${root}/usr")
  set(usr "${root}/usr")
else()
  message(FATAL_ERROR "no usr/ in CPack's staging folder ${root}")
endif()
set(src "${CPACK_DLC_DEBIAN_DIR}")
set(doc "${usr}/share/doc/dlcontainer")

function(gzip_n file)  # gzip -9n: no name and no time stamp inside, so the result is reproducible
  execute_process(COMMAND gzip -9nf "${file}" RESULT_VARIABLE failed)
  if(failed)
    message(FATAL_ERROR "gzip ${file} failed")
  endif()
endfunction()

# As dh_strip does: CPack's strip leaves the compiler's .comment and .note sections.
foreach(binary "${usr}/bin/dlcontainer" "${usr}/lib/dlcontainer/dlcontainer-agent")
  execute_process(COMMAND strip --remove-section=.comment --remove-section=.note "${binary}" RESULT_VARIABLE failed)
  if(failed)
    message(FATAL_ERROR "strip ${binary} failed")
  endif()
endforeach()

file(COPY "${src}/copyright" DESTINATION "${doc}")
configure_file("${src}/changelog" "${doc}/changelog.Debian" COPYONLY)
gzip_n("${doc}/changelog.Debian")
file(GLOB pages "${usr}/share/man/man*/*")
foreach(page IN LISTS pages)
  gzip_n("${page}")
endforeach()
# Debian policy 12.3: documentation over 4 kB is compressed.
file(GLOB docs "${doc}/*.md")
foreach(d IN LISTS docs)
  file(SIZE "${d}" size)
  if(size GREATER 4096)
    gzip_n("${d}")
  endif()
endforeach()
file(MAKE_DIRECTORY "${usr}/share/lintian/overrides")
configure_file("${src}/dlcontainer.lintian-overrides" "${usr}/share/lintian/overrides/dlcontainer" COPYONLY)
