add_executable(convergectl convergectl/main.cpp convergectl/cli.h convergectl/cli.cpp)
target_link_libraries(convergectl PRIVATE core Qt6::Core)

add_executable(converged converged/main.cpp)
target_link_libraries(converged PRIVATE collectors core Qt6::Core)

install(TARGETS convergectl converged RUNTIME DESTINATION bin)
if(TARGET converge)
    install(TARGETS converge RUNTIME DESTINATION bin)
endif()
