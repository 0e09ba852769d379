# Written by bench/run: gnuplot chart.gp redraws rates.png and cpu.png from the chart-*.dat files.
set terminal pngcairo font 'sans,10' size 861,420
set termoption noenhanced
unset key
set border 3
set grid xtics back lt 1 lw 1 lc rgb '#dddddd'
set ytics scale 0 nomirror
set xtics nomirror out
set output 'rates.png'
set multiplot title "netcookd bench/run, 2026-12-07 18:59: rate (bar: median of the runs; whisker: min–max)"
unset title
unset border
unset xtics
unset ytics
unset grid
set xrange [0:1]
set yrange [0:1]
set lmargin at screen 0.01161
set rmargin at screen 0.98839
set tmargin at screen 0.91905
set bmargin at screen 0.80952
set key inside center center vertical maxrows 2 Left reverse samplen 2 spacing 1.1 width 0 noautotitle
plot NaN with boxes fs solid 1 border rgb '#404040' fc rgb '#e69f00' title "netcookd thread", \
     NaN with boxes fs solid 1 border rgb '#404040' fc rgb '#0072b2' title "netcookd epoll", \
     NaN with boxes fs pattern 4 border rgb '#404040' fc rgb '#404040' title "--baseline twin (lighter, hatched)"
unset key
set border 3
set grid xtics back lt 1 lw 1 lc rgb '#dddddd'
set ytics scale 0 nomirror
set xtics nomirror out
set title "chat-c200 — lines/s"
set lmargin at screen 0.24506
set rmargin at screen 0.96516
set tmargin at screen 0.70952
set bmargin at screen 0.50000
set yrange [3.5:-0.5]
set xrange [0:8.69266e+06]
set xtics ("0" 0, "2M" 2e+06, "4M" 4e+06, "6M" 6e+06, "8M" 8e+06)
plot 'chart-chat-c200.dat' using (0):0:(0):(column(2) == column(2) ? column(2) : 0):($0 - 0.38):($0 + 0.38):8:ytic(1) with boxxyerror fs solid 1 border rgb '#404040' fc rgb variable, \
     '' using (0):0:(0):(column(9) > 0 ? (column(2) == column(2) ? column(2) : 0) : NaN):($0 - 0.38):($0 + 0.38):10 with boxxyerror fs transparent pattern 4 border rgb '#404040' fc rgb variable, \
     '' using 2:0:3:4 with xerrorbars lc rgb 'black' pt 0 ps 0, \
     '' using 4:0:11 with labels left offset 0.6,0
set title "chat-bus-c200-rate — lines/s"
set lmargin at screen 0.24506
set rmargin at screen 0.96516
set tmargin at screen 0.31905
set bmargin at screen 0.10952
set yrange [3.5:-0.5]
set xrange [0:110361]
set xtics ("0" 0, "50k" 50000, "100k" 100000)
plot 'chart-chat-bus-c200-rate.dat' using (0):0:(0):(column(2) == column(2) ? column(2) : 0):($0 - 0.38):($0 + 0.38):8:ytic(1) with boxxyerror fs solid 1 border rgb '#404040' fc rgb variable, \
     '' using (0):0:(0):(column(9) > 0 ? (column(2) == column(2) ? column(2) : 0) : NaN):($0 - 0.38):($0 + 0.38):10 with boxxyerror fs transparent pattern 4 border rgb '#404040' fc rgb variable, \
     '' using 2:0:3:4 with xerrorbars lc rgb 'black' pt 0 ps 0, \
     '' using 4:0:11 with labels left offset 0.6,0
unset multiplot
set output 'cpu.png'
set multiplot title "netcookd bench/run, 2026-12-07 18:59: server CPU per operation (bar: median of the runs; whisker: min–max)"
unset title
unset border
unset xtics
unset ytics
unset grid
set xrange [0:1]
set yrange [0:1]
set lmargin at screen 0.01161
set rmargin at screen 0.98839
set tmargin at screen 0.91905
set bmargin at screen 0.80952
set key inside center center vertical maxrows 2 Left reverse samplen 2 spacing 1.1 width 0 noautotitle
plot NaN with boxes fs solid 1 border rgb '#404040' fc rgb '#e69f00' title "netcookd thread", \
     NaN with boxes fs solid 1 border rgb '#404040' fc rgb '#0072b2' title "netcookd epoll", \
     NaN with boxes fs pattern 4 border rgb '#404040' fc rgb '#404040' title "--baseline twin (lighter, hatched)"
unset key
set border 3
set grid xtics back lt 1 lw 1 lc rgb '#dddddd'
set ytics scale 0 nomirror
set xtics nomirror out
set title "chat-c200 — server CPU per line (µs)"
set lmargin at screen 0.24506
set rmargin at screen 0.96516
set tmargin at screen 0.70952
set bmargin at screen 0.50000
set yrange [3.5:-0.5]
set xrange [0:5.03905]
set xtics ("0" 0, "2" 2, "4" 4)
plot 'chart-chat-c200.dat' using (0):0:(0):(column(5) == column(5) ? column(5) : 0):($0 - 0.38):($0 + 0.38):8:ytic(1) with boxxyerror fs solid 1 border rgb '#404040' fc rgb variable, \
     '' using (0):0:(0):(column(9) > 0 ? (column(5) == column(5) ? column(5) : 0) : NaN):($0 - 0.38):($0 + 0.38):10 with boxxyerror fs transparent pattern 4 border rgb '#404040' fc rgb variable, \
     '' using 5:0:6:7 with xerrorbars lc rgb 'black' pt 0 ps 0, \
     '' using 7:0:12 with labels left offset 0.6,0
set title "chat-bus-c200-rate — server CPU per line (µs)"
set lmargin at screen 0.24506
set rmargin at screen 0.96516
set tmargin at screen 0.31905
set bmargin at screen 0.10952
set yrange [3.5:-0.5]
set xrange [0:11.5514]
set xtics ("0" 0, "5" 5, "10" 10)
plot 'chart-chat-bus-c200-rate.dat' using (0):0:(0):(column(5) == column(5) ? column(5) : 0):($0 - 0.38):($0 + 0.38):8:ytic(1) with boxxyerror fs solid 1 border rgb '#404040' fc rgb variable, \
     '' using (0):0:(0):(column(9) > 0 ? (column(5) == column(5) ? column(5) : 0) : NaN):($0 - 0.38):($0 + 0.38):10 with boxxyerror fs transparent pattern 4 border rgb '#404040' fc rgb variable, \
     '' using 5:0:6:7 with xerrorbars lc rgb 'black' pt 0 ps 0, \
     '' using 7:0:12 with labels left offset 0.6,0
unset multiplot
