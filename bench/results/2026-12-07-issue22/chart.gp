# Written by bench/run: gnuplot chart.gp redraws rates.png and cpu.png from the chart-*.dat files.
set terminal pngcairo font 'sans,10' size 976,814
set termoption noenhanced
unset key
set border 3
set grid xtics back lt 1 lw 1 lc rgb '#dddddd'
set ytics scale 0 nomirror
set xtics nomirror out
set output 'rates.png'
set multiplot title "netcookd bench/run, 2026-12-07 19:23: rate (bar: median of the runs; whisker: min–max)"
unset title
unset border
unset xtics
unset ytics
unset grid
set xrange [0:1]
set yrange [0:1]
set lmargin at screen 0.01025
set rmargin at screen 0.98975
set tmargin at screen 0.95823
set bmargin at screen 0.90172
set key inside center center vertical maxrows 2 Left reverse samplen 2 spacing 1.1 width 0 noautotitle
plot NaN with boxes fs solid 1 border rgb '#404040' fc rgb '#d55e00' title "netcookd fork", \
     NaN with boxes fs solid 1 border rgb '#404040' fc rgb '#e69f00' title "netcookd thread", \
     NaN with boxes fs solid 1 border rgb '#404040' fc rgb '#0072b2' title "netcookd epoll", \
     NaN with boxes fs solid 1 border rgb '#404040' fc rgb '#009e73' title "netcookd io_uring", \
     NaN with boxes fs solid 1 border rgb '#404040' fc rgb '#f0e442' title "speed-of-light loop", \
     NaN with boxes fs solid 1 border rgb '#404040' fc rgb '#a0a0a0' title "peer"
unset key
set border 3
set grid xtics back lt 1 lw 1 lc rgb '#dddddd'
set ytics scale 0 nomirror
set xtics nomirror out
set title "echo-pp50 — msgs/s"
set lmargin at screen 0.33402
set rmargin at screen 0.96926
set tmargin at screen 0.85012
set bmargin at screen 0.63391
set yrange [7.5:-0.5]
set xrange [0:299127]
set xtics ("0" 0, "100k" 100000, "200k" 200000)
plot 'chart-echo-pp50.dat' using (0):0:(0):(column(2) == column(2) ? column(2) : 0):($0 - 0.38):($0 + 0.38):8:ytic(1) with boxxyerror fs solid 1 border rgb '#404040' fc rgb variable, \
     '' using (0):0:(0):(column(9) > 0 ? (column(2) == column(2) ? column(2) : 0) : NaN):($0 - 0.38):($0 + 0.38):10 with boxxyerror fs transparent pattern 4 border rgb '#404040' fc rgb variable, \
     '' using 2:0:3:4 with xerrorbars lc rgb 'black' pt 0 ps 0, \
     '' using 4:0:11 with labels left offset 0.6,0
set title "echo-stream — MB/s"
set lmargin at screen 0.33402
set rmargin at screen 0.96926
set tmargin at screen 0.54054
set bmargin at screen 0.43243
set yrange [3.5:-0.5]
set xrange [0:2357.04]
set xtics ("0" 0, "500" 500, "1k" 1000, "1.5k" 1500, "2k" 2000)
plot 'chart-echo-stream.dat' using (0):0:(0):(column(2) == column(2) ? column(2) : 0):($0 - 0.38):($0 + 0.38):8:ytic(1) with boxxyerror fs solid 1 border rgb '#404040' fc rgb variable, \
     '' using (0):0:(0):(column(9) > 0 ? (column(2) == column(2) ? column(2) : 0) : NaN):($0 - 0.38):($0 + 0.38):10 with boxxyerror fs transparent pattern 4 border rgb '#404040' fc rgb variable, \
     '' using 2:0:3:4 with xerrorbars lc rgb 'black' pt 0 ps 0, \
     '' using 4:0:11 with labels left offset 0.6,0
set title "http-c50 — req/s"
set lmargin at screen 0.33402
set rmargin at screen 0.96926
set tmargin at screen 0.33907
set bmargin at screen 0.25799
set yrange [2.5:-0.5]
set xrange [0:215478]
set xtics ("0" 0, "50k" 50000, "100k" 100000, "150k" 150000, "200k" 200000)
plot 'chart-http-c50.dat' using (0):0:(0):(column(2) == column(2) ? column(2) : 0):($0 - 0.38):($0 + 0.38):8:ytic(1) with boxxyerror fs solid 1 border rgb '#404040' fc rgb variable, \
     '' using (0):0:(0):(column(9) > 0 ? (column(2) == column(2) ? column(2) : 0) : NaN):($0 - 0.38):($0 + 0.38):10 with boxxyerror fs transparent pattern 4 border rgb '#404040' fc rgb variable, \
     '' using 2:0:3:4 with xerrorbars lc rgb 'black' pt 0 ps 0, \
     '' using 4:0:11 with labels left offset 0.6,0
set title "chat-c200 — lines/s"
set lmargin at screen 0.33402
set rmargin at screen 0.96926
set tmargin at screen 0.16462
set bmargin at screen 0.05651
set yrange [3.5:-0.5]
set xrange [0:1.51771e+07]
set xtics ("0" 0, "5M" 5e+06, "10M" 1e+07, "15M" 1.5e+07)
plot 'chart-chat-c200.dat' using (0):0:(0):(column(2) == column(2) ? column(2) : 0):($0 - 0.38):($0 + 0.38):8:ytic(1) with boxxyerror fs solid 1 border rgb '#404040' fc rgb variable, \
     '' using (0):0:(0):(column(9) > 0 ? (column(2) == column(2) ? column(2) : 0) : NaN):($0 - 0.38):($0 + 0.38):10 with boxxyerror fs transparent pattern 4 border rgb '#404040' fc rgb variable, \
     '' using 2:0:3:4 with xerrorbars lc rgb 'black' pt 0 ps 0, \
     '' using 4:0:11 with labels left offset 0.6,0
unset multiplot
set output 'cpu.png'
set multiplot title "netcookd bench/run, 2026-12-07 19:23: server CPU per operation (bar: median of the runs; whisker: min–max)"
unset title
unset border
unset xtics
unset ytics
unset grid
set xrange [0:1]
set yrange [0:1]
set lmargin at screen 0.01025
set rmargin at screen 0.98975
set tmargin at screen 0.95823
set bmargin at screen 0.90172
set key inside center center vertical maxrows 2 Left reverse samplen 2 spacing 1.1 width 0 noautotitle
plot NaN with boxes fs solid 1 border rgb '#404040' fc rgb '#d55e00' title "netcookd fork", \
     NaN with boxes fs solid 1 border rgb '#404040' fc rgb '#e69f00' title "netcookd thread", \
     NaN with boxes fs solid 1 border rgb '#404040' fc rgb '#0072b2' title "netcookd epoll", \
     NaN with boxes fs solid 1 border rgb '#404040' fc rgb '#009e73' title "netcookd io_uring", \
     NaN with boxes fs solid 1 border rgb '#404040' fc rgb '#f0e442' title "speed-of-light loop", \
     NaN with boxes fs solid 1 border rgb '#404040' fc rgb '#a0a0a0' title "peer"
unset key
set border 3
set grid xtics back lt 1 lw 1 lc rgb '#dddddd'
set ytics scale 0 nomirror
set xtics nomirror out
set title "echo-pp50 — server CPU per msg (µs)"
set lmargin at screen 0.33402
set rmargin at screen 0.96926
set tmargin at screen 0.85012
set bmargin at screen 0.63391
set yrange [7.5:-0.5]
set xrange [0:10.137]
set xtics ("0" 0, "5" 5, "10" 10)
plot 'chart-echo-pp50.dat' using (0):0:(0):(column(5) == column(5) ? column(5) : 0):($0 - 0.38):($0 + 0.38):8:ytic(1) with boxxyerror fs solid 1 border rgb '#404040' fc rgb variable, \
     '' using (0):0:(0):(column(9) > 0 ? (column(5) == column(5) ? column(5) : 0) : NaN):($0 - 0.38):($0 + 0.38):10 with boxxyerror fs transparent pattern 4 border rgb '#404040' fc rgb variable, \
     '' using 5:0:6:7 with xerrorbars lc rgb 'black' pt 0 ps 0, \
     '' using 7:0:12 with labels left offset 0.6,0
set title "echo-stream — server CPU per MB (µs)"
set lmargin at screen 0.33402
set rmargin at screen 0.96926
set tmargin at screen 0.54054
set bmargin at screen 0.43243
set yrange [3.5:-0.5]
set xrange [0:727.643]
set xtics ("0" 0, "200" 200, "400" 400, "600" 600)
plot 'chart-echo-stream.dat' using (0):0:(0):(column(5) == column(5) ? column(5) : 0):($0 - 0.38):($0 + 0.38):8:ytic(1) with boxxyerror fs solid 1 border rgb '#404040' fc rgb variable, \
     '' using (0):0:(0):(column(9) > 0 ? (column(5) == column(5) ? column(5) : 0) : NaN):($0 - 0.38):($0 + 0.38):10 with boxxyerror fs transparent pattern 4 border rgb '#404040' fc rgb variable, \
     '' using 5:0:6:7 with xerrorbars lc rgb 'black' pt 0 ps 0, \
     '' using 7:0:12 with labels left offset 0.6,0
set title "http-c50 — server CPU per req (µs)"
set lmargin at screen 0.33402
set rmargin at screen 0.96926
set tmargin at screen 0.33907
set bmargin at screen 0.25799
set yrange [2.5:-0.5]
set xrange [0:5.68474]
set xtics ("0" 0, "2" 2, "4" 4)
plot 'chart-http-c50.dat' using (0):0:(0):(column(5) == column(5) ? column(5) : 0):($0 - 0.38):($0 + 0.38):8:ytic(1) with boxxyerror fs solid 1 border rgb '#404040' fc rgb variable, \
     '' using (0):0:(0):(column(9) > 0 ? (column(5) == column(5) ? column(5) : 0) : NaN):($0 - 0.38):($0 + 0.38):10 with boxxyerror fs transparent pattern 4 border rgb '#404040' fc rgb variable, \
     '' using 5:0:6:7 with xerrorbars lc rgb 'black' pt 0 ps 0, \
     '' using 7:0:12 with labels left offset 0.6,0
set title "chat-c200 — server CPU per line (µs)"
set lmargin at screen 0.33402
set rmargin at screen 0.96926
set tmargin at screen 0.16462
set bmargin at screen 0.05651
set yrange [3.5:-0.5]
set xrange [0:0.464336]
set xtics ("0" 0, "0.1" 0.1, "0.2" 0.2, "0.3" 0.3, "0.4" 0.4)
plot 'chart-chat-c200.dat' using (0):0:(0):(column(5) == column(5) ? column(5) : 0):($0 - 0.38):($0 + 0.38):8:ytic(1) with boxxyerror fs solid 1 border rgb '#404040' fc rgb variable, \
     '' using (0):0:(0):(column(9) > 0 ? (column(5) == column(5) ? column(5) : 0) : NaN):($0 - 0.38):($0 + 0.38):10 with boxxyerror fs transparent pattern 4 border rgb '#404040' fc rgb variable, \
     '' using 5:0:6:7 with xerrorbars lc rgb 'black' pt 0 ps 0, \
     '' using 7:0:12 with labels left offset 0.6,0
unset multiplot
