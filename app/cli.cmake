add_executable(convergectl convergectl/main.cpp convergectl/cli.h convergectl/cli.cpp)
target_link_libraries(convergectl PRIVATE core Qt6::Core)

add_executable(converged converged/main.cpp)
target_link_libraries(converged PRIVATE collectors core Qt6::Core)

install(TARGETS convergectl converged RUNTIME DESTINATION bin)
if(TARGET converge)
    install(TARGETS converge RUNTIME DESTINATION bin)
endif()
install(FILES ${CMAKE_SOURCE_DIR}/installer/converged.service DESTINATION lib/systemd/system)
install(FILES ${CMAKE_SOURCE_DIR}/installer/converged.conf DESTINATION /etc/converge)
install(FILES ${CMAKE_SOURCE_DIR}/docs/agent.md DESTINATION share/doc/converge)
