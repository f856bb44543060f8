# Installing jira-mcp like a Debian program (included by the top CMakeLists.txt).
#   make install [PREFIX=/usr/local] [DESTDIR=...]   cmake --install with that prefix
#   make package                                     build/jira-mcp_<version>_<arch>.deb (CPack)
# What is installed, under the prefix (/usr in the package):
#   bin/jira-mcp
#   lib/jira-mcp/jira-mcp-net.so              the HTTP code, loaded on first use (net/net.hpp)
#   share/man/man1/jira-mcp.1.gz              written at build time around `jira-mcp --help`
#   share/doc/jira-mcp/config.toml.example
#   lib/systemd/system/jira-mcp.service       the HTTP server; ExecStart names bin/ under the prefix
# and /etc/jira-mcp/env (mode 0600, a conffile in the package; `make install` never overwrites one
# that exists), the service's environment: the place for secrets.
# Tests: tests/package/package_check.sh.
include(GNUInstallDirs)

set(JIRA_MCP_MANPAGE ${CMAKE_BINARY_DIR}/jira-mcp.1.gz)
add_custom_command(OUTPUT ${JIRA_MCP_MANPAGE}
  COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/manpage.sh $<TARGET_FILE:jira-mcp> ${PROJECT_VERSION} ${JIRA_MCP_MANPAGE}
  DEPENDS jira-mcp ${CMAKE_CURRENT_LIST_DIR}/manpage.sh
  COMMENT "Writing the man page jira-mcp.1 from jira-mcp --help")
add_custom_target(jira-mcp-man ALL DEPENDS ${JIRA_MCP_MANPAGE})

install(TARGETS jira-mcp RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
# The HTTP module the binary loads on first use (src/net/loader.cpp looks in ../lib/jira-mcp/).
install(TARGETS jira-mcp-net LIBRARY DESTINATION lib/jira-mcp)
install(FILES ${JIRA_MCP_MANPAGE} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${PROJECT_SOURCE_DIR}/config.toml.example DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/doc/jira-mcp)

# The unit and the env file are written at install time: the unit's ExecStart must name the
# binary under the prefix the install uses (CPack installs with /usr, `make install` with PREFIX).
install(CODE "set(JIRA_MCP_PACKAGING_DIR \"${CMAKE_CURRENT_LIST_DIR}\")
              set(JIRA_MCP_UNIT_TMP \"${CMAKE_BINARY_DIR}/packaging/jira-mcp.service\")
              set(JIRA_MCP_BINDIR_REL \"${CMAKE_INSTALL_BINDIR}\")")
install(CODE [[
  set(JIRA_MCP_BINDIR "${CMAKE_INSTALL_PREFIX}/${JIRA_MCP_BINDIR_REL}")
  configure_file("${JIRA_MCP_PACKAGING_DIR}/jira-mcp.service.in" "${JIRA_MCP_UNIT_TMP}" @ONLY)
  file(INSTALL DESTINATION "${CMAKE_INSTALL_PREFIX}/lib/systemd/system" TYPE FILE FILES "${JIRA_MCP_UNIT_TMP}")
  if(EXISTS "$ENV{DESTDIR}/etc/jira-mcp/env")
    message(STATUS "Keeping: $ENV{DESTDIR}/etc/jira-mcp/env")
  else()
    file(INSTALL DESTINATION "/etc/jira-mcp" TYPE FILE FILES "${JIRA_MCP_PACKAGING_DIR}/env"
         PERMISSIONS OWNER_READ OWNER_WRITE)
  endif()
]])

# The Debian package. CPACK_SET_DESTDIR: install with prefix /usr into a staging DESTDIR, so the
# unit names /usr/bin/jira-mcp and /etc/jira-mcp/env lands in /etc.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME jira-mcp)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "jira-mcp maintainers <jira-mcp@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Model Context Protocol server for Jira")
set(CPACK_PACKAGE_DESCRIPTION "jira-mcp lets MCP hosts (LLM clients) search, read and edit Jira Cloud and
Data Center issues, comments, transitions, worklogs, attachments, boards and sprints, over stdio
or Streamable HTTP. Includes a systemd unit for the HTTP server and a built-in Jira sandbox.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_SET_DESTDIR ON)
set(CPACK_INSTALL_PREFIX /usr)  # with CPACK_SET_DESTDIR, the prefix the install runs with
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Depends: from the binary's shared libraries, with the versions dpkg-shlibdeps finds.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${CMAKE_CURRENT_LIST_DIR}/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_OUTPUT_FILE_PREFIX ${CMAKE_BINARY_DIR})
set(CPACK_STRIP_FILES ON)
include(CPack)
