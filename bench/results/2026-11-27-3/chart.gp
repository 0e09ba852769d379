# Written by bench/run: gnuplot chart.gp redraws rates.png and cpu.png.
set style fill solid 0.85 border -1
set boxwidth 0.8
set grid ytics
set xtics rotate by -40 noenhanced font ',8'
set yrange [0:*]
set format y '%.1s%c'
set terminal pngcairo font ',10' size 1760,800
set output 'rates.png'
set multiplot layout 2,4 title "netcookd bench/run, 2026-11-27 18:23: rate" noenhanced
set title "echo-pp50" noenhanced
set ylabel "msgs/s (median, min–max)" noenhanced
plot 'chart-echo-pp50.dat' using 0:2:8:xtic(1) with boxes lc rgb variable notitle, \
     '' using 0:2:3:4 with yerrorbars lc rgb 'black' pt 0 notitle

set title "echo-stream" noenhanced
set ylabel "MB/s (median, min–max)" noenhanced
plot 'chart-echo-stream.dat' using 0:2:8:xtic(1) with boxes lc rgb variable notitle, \
     '' using 0:2:3:4 with yerrorbars lc rgb 'black' pt 0 notitle

set title "echo-connect" noenhanced
set ylabel "conns/s (median, min–max)" noenhanced
plot 'chart-echo-connect.dat' using 0:2:8:xtic(1) with boxes lc rgb variable notitle, \
     '' using 0:2:3:4 with yerrorbars lc rgb 'black' pt 0 notitle

set title "http-c50" noenhanced
set ylabel "req/s (median, min–max)" noenhanced
plot 'chart-http-c50.dat' using 0:2:8:xtic(1) with boxes lc rgb variable notitle, \
     '' using 0:2:3:4 with yerrorbars lc rgb 'black' pt 0 notitle

set title "http-c500" noenhanced
set ylabel "req/s (median, min–max)" noenhanced
plot 'chart-http-c500.dat' using 0:2:8:xtic(1) with boxes lc rgb variable notitle, \
     '' using 0:2:3:4 with yerrorbars lc rgb 'black' pt 0 notitle

set title "http-c500-w2" noenhanced
set ylabel "req/s (median, min–max)" noenhanced
plot 'chart-http-c500-w2.dat' using 0:2:8:xtic(1) with boxes lc rgb variable notitle, \
     '' using 0:2:3:4 with yerrorbars lc rgb 'black' pt 0 notitle

set title "chat-c200" noenhanced
set ylabel "lines/s (median, min–max)" noenhanced
plot 'chart-chat-c200.dat' using 0:2:8:xtic(1) with boxes lc rgb variable notitle, \
     '' using 0:2:3:4 with yerrorbars lc rgb 'black' pt 0 notitle

unset multiplot
set terminal pngcairo font ',10' size 1760,800
set output 'cpu.png'
set multiplot layout 2,4 title "netcookd bench/run, 2026-11-27 18:23: server CPU per operation" noenhanced
set title "echo-pp50" noenhanced
set ylabel "server CPU µs per msg (median, min–max)" noenhanced
plot 'chart-echo-pp50.dat' using 0:5:8:xtic(1) with boxes lc rgb variable notitle, \
     '' using 0:5:6:7 with yerrorbars lc rgb 'black' pt 0 notitle

set title "echo-stream" noenhanced
set ylabel "server CPU µs per MB (median, min–max)" noenhanced
plot 'chart-echo-stream.dat' using 0:5:8:xtic(1) with boxes lc rgb variable notitle, \
     '' using 0:5:6:7 with yerrorbars lc rgb 'black' pt 0 notitle

set title "echo-connect" noenhanced
set ylabel "server CPU µs per conn (median, min–max)" noenhanced
plot 'chart-echo-connect.dat' using 0:5:8:xtic(1) with boxes lc rgb variable notitle, \
     '' using 0:5:6:7 with yerrorbars lc rgb 'black' pt 0 notitle

set title "http-c50" noenhanced
set ylabel "server CPU µs per req (median, min–max)" noenhanced
plot 'chart-http-c50.dat' using 0:5:8:xtic(1) with boxes lc rgb variable notitle, \
     '' using 0:5:6:7 with yerrorbars lc rgb 'black' pt 0 notitle

set title "http-c500" noenhanced
set ylabel "server CPU µs per req (median, min–max)" noenhanced
plot 'chart-http-c500.dat' using 0:5:8:xtic(1) with boxes lc rgb variable notitle, \
     '' using 0:5:6:7 with yerrorbars lc rgb 'black' pt 0 notitle

set title "http-c500-w2" noenhanced
set ylabel "server CPU µs per req (median, min–max)" noenhanced
plot 'chart-http-c500-w2.dat' using 0:5:8:xtic(1) with boxes lc rgb variable notitle, \
     '' using 0:5:6:7 with yerrorbars lc rgb 'black' pt 0 notitle

set title "chat-c200" noenhanced
set ylabel "server CPU µs per line (median, min–max)" noenhanced
plot 'chart-chat-c200.dat' using 0:5:8:xtic(1) with boxes lc rgb variable notitle, \
     '' using 0:5:6:7 with yerrorbars lc rgb 'black' pt 0 notitle

unset multiplot
